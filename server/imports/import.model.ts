import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { DELIMITERS, ENCODINGS } from './csv.js';
import { IMPORT_FIELDS } from './import.mapping.js';

/**
 * An import of a CSV file into the contacts: its file (kept under DATA_DIR/imports), detected
 * and chosen settings, the dry run's results, and — while it is committed by a job — its
 * cursor and counts, so any process can resume it after a crash.
 */
export const IMPORT_STATUSES = ['ready', 'queued', 'running', 'done', 'failed', 'undoing', 'undone'] as const;
export const IMPORT_POLICIES = ['fill', 'overwrite'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type ImportPolicy = (typeof IMPORT_POLICIES)[number];

export type ImportCounts = {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  skipped: number;
  errors: number;
  /** Lines imported with values kept as text (unknown function, theme, territory...). */
  warnings: number;
  /** Empty rows between data rows, skipped. */
  blank: number;
  subscribed: number;
  organisationsCreated: number;
  themesCreated: number;
  /** New functions, dispositifs and organisation types. */
  entriesCreated: number;
};
export const emptyCounts = (): ImportCounts => ({
  rows: 0, created: 0, updated: 0, unchanged: 0, duplicates: 0, skipped: 0, errors: 0, warnings: 0, blank: 0, subscribed: 0, organisationsCreated: 0, themesCreated: 0, entriesCreated: 0,
});

const countsDefinition = Object.fromEntries(
  Object.keys(emptyCounts()).map((key) => [key, { type: Number, default: 0 }]),
) as Record<keyof ImportCounts, { type: NumberConstructor; default: number }>;

const columnSchema = new Schema(
  { column: { type: Number, required: true }, header: { type: String, default: '' }, field: { type: String, enum: IMPORT_FIELDS, required: true } },
  { _id: false },
);

const importSchema = new Schema(
  {
    fileName: { type: String, required: true },
    filePath: { type: String, required: true },
    size: { type: Number, required: true },
    detected: { encoding: { type: String, enum: ENCODINGS }, delimiter: { type: String, enum: DELIMITERS }, bom: Boolean, preset: String },
    encoding: { type: String, enum: ENCODINGS, required: true },
    delimiter: { type: String, enum: DELIMITERS, required: true },
    headerLine: { type: Number, default: 1 },
    headers: { type: [String], default: [] },
    mapping: { type: [columnSchema], default: [] },
    policy: { type: String, enum: IMPORT_POLICIES, default: 'fill' },
    /** List to subscribe rows carrying consent proof to; none: nobody is subscribed. */
    subscribeList: { type: Schema.Types.ObjectId, ref: 'List', default: null },
    /** The preset chosen for this file: its value decisions apply. */
    preset: { type: String },
    /** Staff's decisions for distinct values and new organisations (the value-mapping step). */
    valueDecisions: { type: [Schema.Types.Mixed], default: [] },
    organisationDecisions: { type: [Schema.Types.Mixed], default: [] },
    /** The dry run's distinct values and new organisations, each with its decision: what the commit applies. */
    values: { type: [Schema.Types.Mixed], default: [] },
    organisations: { type: [Schema.Types.Mixed], default: [] },
    /** Organisations, themes and list entries the commit created (undo removes them). */
    created: {
      organisations: { type: [String], default: [] },
      themes: { type: [String], default: [] },
      vocabularies: { type: [String], default: [] },
    },
    status: { type: String, enum: IMPORT_STATUSES, default: 'ready', index: true },
    /** Why the mapping cannot be committed as it is (no e-mail column, ...), in French. */
    problem: { type: String },
    /** The dry run: counts and the first lines as they will be stored. */
    preview: {
      counts: countsDefinition,
      lines: { type: [Schema.Types.Mixed], default: [] },
      /** Subscriptions the commit creates, per list: `{list, name, count}`. */
      subscriptions: { type: [Schema.Types.Mixed], default: [] },
      at: Date,
    },
    counts: countsDefinition,
    progress: { done: { type: Number, default: 0 }, total: { type: Number, default: 0 } },
    /** Batches fully written, and data records they covered: where a resumed commit starts. */
    cursor: { batches: { type: Number, default: 0 }, records: { type: Number, default: 0 } },
    failure: { type: String },
    /** Runs of the commit job (a process dying mid-way leaves it to run again): stopped past a few. */
    attempts: { type: Number, default: 0 },
    undoReport: {
      at: Date,
      deleted: { type: Number, default: 0 },
      restored: { type: Number, default: 0 },
      /** Organisations, themes and list entries removed (created by the import, used by no one). */
      entries: { type: Number, default: 0 },
      kept: { type: [Schema.Types.Mixed], default: [] },
    },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    committedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    committedAt: Date,
    finishedAt: Date,
  },
  { timestamps: true },
);

export type ImportRecord = InferSchemaType<typeof importSchema> & { _id: mongoose.Types.ObjectId };
export const Import = mongoose.model('Import', importSchema, 'imports');

/** A line the import reports: an error (not imported), a skipped address, a merged duplicate, a notice. */
export const ISSUE_KINDS = ['error', 'warning', 'skipped', 'duplicate', 'notice'] as const;
const issueSchema = new Schema(
  {
    import: { type: Schema.Types.ObjectId, ref: 'Import', required: true },
    phase: { type: String, enum: ['preview', 'commit'], required: true },
    batch: { type: Number, default: 0 },
    /** Text line of the file the record starts on. */
    line: { type: Number, required: true },
    /** Spreadsheet row (header = 1), as Excel or LibreOffice shows it. */
    row: { type: Number },
    kind: { type: String, enum: ISSUE_KINDS, required: true },
    column: { type: String },
    reason: { type: String, required: true },
    cells: { type: [String], default: [] },
  },
  { versionKey: false },
);
issueSchema.index({ import: 1, phase: 1, line: 1 });
export const ImportIssue = mongoose.model('ImportIssue', issueSchema, 'import_issues');

/**
 * The journal of one committed batch, written before the batch's contacts: what it created
 * and each updated contact's fields before and after. Undo replays it backwards; a resumed
 * commit rolls back the batch a crash interrupted, then redoes it.
 */
const batchSchema = new Schema(
  {
    import: { type: Schema.Types.ObjectId, ref: 'Import', required: true },
    index: { type: Number, required: true },
    at: { type: Date, required: true },
    /** Written: done once the import's cursor has passed its batch, interrupted otherwise. */
    state: { type: String, enum: ['written', 'undone'], default: 'written' },
    /** Three parallel lists: FerretDB writes them far faster than one subdocument per contact. */
    created: {
      contacts: { type: [Schema.Types.ObjectId], default: [] },
      emails: { type: [String], default: [] },
      lines: { type: [Number], default: [] },
    },
    updated: { type: [{ _id: false, contact: Schema.Types.ObjectId, email: String, line: Number, before: Schema.Types.Mixed, after: Schema.Types.Mixed }], default: [] },
    subscriptions: { type: [Schema.Types.ObjectId], default: [] },
    organisations: { type: [Schema.Types.ObjectId], default: [] },
  },
  { versionKey: false },
);
batchSchema.index({ import: 1, index: 1 }, { unique: true });
export const ImportBatch = mongoose.model('ImportBatch', batchSchema, 'import_batches');

/** A saved mapping staff reuse for files of the same shape. */
const presetSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, unique: true },
    columns: { type: [{ _id: false, header: { type: String, required: true }, field: { type: String, enum: IMPORT_FIELDS, required: true } }], default: [] },
    /** Value decisions (see import.values.ts) offered again for the next file. */
    values: { type: [Schema.Types.Mixed], default: [] },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
export const ImportPreset = mongoose.model('ImportPreset', presetSchema, 'import_presets');

/** Staff's value decisions of earlier imports, one per field and value: suggested as "chosen before". */
const valueMemorySchema = new Schema(
  { _id: { type: String, required: true }, decision: { type: Schema.Types.Mixed, required: true }, at: Date },
  { versionKey: false },
);
export const ImportValueMemory = mongoose.model('ImportValueMemory', valueMemorySchema, 'import_value_memory');
