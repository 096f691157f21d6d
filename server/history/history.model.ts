import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * Who changed what on a contact or an organisation, and when: one entry per create, update,
 * delete, merge or erase, with each changed field's value before and after (an array, since
 * keys cannot contain '.' on FerretDB).
 *
 * One document per record, `_id` = "<resource>:<record id>", entries appended: reading or
 * extending a record's history is a lookup by `_id`, the only filter FerretDB/SQLite does not
 * answer by reading the whole collection. Records created together (an import's batch) have
 * their first entries in one document of another shape, "<resource>-block:<id>" (see
 * `startHistories` in history.service.ts), read with it.
 */
export const HISTORY_ACTIONS = ['create', 'update', 'delete', 'merge', 'erase'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];
export const HISTORY_RESOURCES = ['contacts', 'organisations'] as const;
export type HistoryResource = (typeof HISTORY_RESOURCES)[number];

const changeSchema = new Schema(
  { field: { type: String, required: true }, before: Schema.Types.Mixed, after: Schema.Types.Mixed },
  { _id: false },
);

const entrySchema = new Schema(
  {
    action: { type: String, enum: HISTORY_ACTIONS, required: true },
    at: { type: Date, required: true },
    actor: { type: Schema.Types.ObjectId, ref: 'User' },
    actorName: { type: String, default: '' },
    /** Through what: `staff`, `import:<id>`, `import-undo:<id>`, `merge`, `theme-deletion`, `organisation-change`, `migration:<n>`... */
    via: { type: String },
    changes: { type: [changeSchema], default: [] },
    /**
     * The changes as one JSON string instead of `changes` (the first entry of contacts an import
     * created): FerretDB/SQLite stores each nested value with its type, so a string costs it a
     * third of the array of {field, before, after}. Read through `entryChanges`.
     */
    changesJson: { type: String },
    /** For a merge: the record merged into this one; that record's entries carry it too. */
    mergedFrom: { type: Schema.Types.ObjectId },
    /** For a change an import made: that import. */
    import: { type: Schema.Types.ObjectId, ref: 'Import' },
  },
  { _id: false },
);

const historySchema = new Schema(
  {
    _id: { type: String, required: true },
    resource: { type: String, enum: HISTORY_RESOURCES, required: true },
    record: { type: Schema.Types.ObjectId, required: true },
    entries: { type: [entrySchema], default: [] },
  },
  { versionKey: false },
);

export type HistoryRecord = InferSchemaType<typeof historySchema>;
export const History = mongoose.model('History', historySchema, 'history');
