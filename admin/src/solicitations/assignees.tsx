import { useMemo } from 'react';
import { SelectInput, useRecordContext, type SelectInputProps } from 'react-admin';
import { useApi } from '../common/useApi';

/** Staff who can be given work (`GET /api/users/assignable`), readable by every role. */
function useAssignable() {
  const { data, isPending } = useApi<Array<{ id: string; name: string }>>('/users/assignable');
  return { choices: useMemo(() => data ?? [], [data]), isPending };
}

export function AssigneeInput(props: Omit<SelectInputProps, 'choices'>) {
  const { choices, isPending } = useAssignable();
  return <SelectInput {...props} choices={choices} isPending={isPending} />;
}

export function AssigneeField(_props: { label?: string }) {
  const record = useRecordContext<{ assignee?: string }>();
  const { choices } = useAssignable();
  if (!record?.assignee) return null;
  return <span>{choices.find((c) => c.id === record.assignee)?.name ?? ''}</span>;
}
