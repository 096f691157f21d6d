/** The editor's toolbar actions: Markdown inserted at the selection of the message's text. */
export type Edit = { value: string; start: number; end: number };
export type InlineAction = 'heading' | 'bold' | 'list';
export type LinkAction = 'link' | 'image' | 'button';

/** Applies an action that needs nothing more than the selection. */
export function applyInline(edit: Edit, action: InlineAction): Edit {
  if (action === 'bold') return wrap(edit, '**', '**', 'texte en gras');
  const from = lineStart(edit.value, edit.start);
  const to = lineEnd(edit.value, Math.max(edit.end, edit.start));
  const lines = edit.value.slice(from, to).split('\n');
  const marked =
    action === 'heading'
      ? lines.map((line, i) => (i > 0 || /^#{1,3} /.test(line) ? line : `## ${line || 'Titre'}`))
      : lines.map((line) => (/^[-*] /.test(line) ? line : `- ${line || 'élément'}`));
  const text = marked.join('\n');
  return { value: edit.value.slice(0, from) + text + edit.value.slice(to), start: from, end: from + text.length };
}

/** A link (inline), an image or a button (each alone on its line, as the rendering wants). */
export function applyLink(edit: Edit, action: LinkAction, label: string, url: string): Edit {
  if (action === 'link') return replace(edit, `[${label}](${url})`);
  return block(edit, action === 'image' ? `![${label}](${url})` : `[[${label}]](${url})`);
}

/** What the dialog of a link, image or button proposes as its text: the selection. */
export const selectedText = (edit: Edit) => edit.value.slice(edit.start, edit.end).trim();

function wrap(edit: Edit, before: string, after: string, placeholder: string): Edit {
  const inner = edit.value.slice(edit.start, edit.end) || placeholder;
  const value = edit.value.slice(0, edit.start) + before + inner + after + edit.value.slice(edit.end);
  return { value, start: edit.start + before.length, end: edit.start + before.length + inner.length };
}

function replace(edit: Edit, text: string): Edit {
  const value = edit.value.slice(0, edit.start) + text + edit.value.slice(edit.end);
  return { value, start: edit.start + text.length, end: edit.start + text.length };
}

/** `text` as a paragraph of its own: a blank line before and after. */
function block(edit: Edit, text: string): Edit {
  const before = edit.value.slice(0, edit.start).replace(/\s+$/, '');
  const after = edit.value.slice(edit.end).replace(/^\s+/, '');
  const head = before ? `${before}\n\n` : '';
  const value = `${head}${text}\n${after ? `\n${after}` : ''}`;
  const caret = head.length + text.length + 1;
  return { value, start: caret, end: caret };
}

const lineStart = (value: string, at: number) => value.lastIndexOf('\n', at - 1) + 1;
const lineEnd = (value: string, at: number) => {
  const end = value.indexOf('\n', at);
  return end === -1 ? value.length : end;
};
