import { once } from 'node:events';
import { access } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Types } from 'mongoose';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.js';
import { normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { List } from '../lists/list.model.js';
import { User } from '../users/user.model.js';
import type { Actor } from '../users/user.service.js';
import { csvLine, decodeSample, detectDelimiter, readHeader, readSample, type Delimiter, type Encoding } from './csv.js';
import { plannedSubscriptions, prepareBatch, revertBatch, writeBatch, type KeptContact } from './import.commit.js';
import { addCounts, describePlan, forEachBatch, saveIssues, type BatchResult, type ImportSource, type Issue } from './import.engine.js';
import { BUILT_IN_PRESETS, isReservedName, mappingFrom, mappingProblem, recognisePreset, suggestMapping, type ColumnMapping, type ImportField } from './import.mapping.js';
import { createAnnouncedEntries, removeCreatedEntries, type CreatedEntries } from './import.entries.js';
import { emptyCounts, Import, ImportBatch, ImportIssue, ImportPreset, ImportValueMemory, type ImportCounts, type ImportPolicy } from './import.model.js';
import { organisationKey, type OrganisationDecision, type OrganisationReport } from './import.organisations.js';
import { newObjectId, Resolver } from './import.rows.js';
import { loadCatalog, storedDecisions, valueKey, type ValueDecision, type ValueReport } from './import.values.js';
import { Organisation } from '../organisations/organisation.model.js';
import { assertTerritories } from '../territories/territory.service.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { storeFile, type StoredFile } from './import.storage.js';

/** The Agenda jobs that commit and undo an import (defined in jobs/import-commit.job.ts, jobs/import-undo.job.ts). */
export const IMPORT_COMMIT_JOB = 'import:commit';
export const IMPORT_UNDO_JOB = 'import:undo';

export { storeFile };

/** Settings of an import, chosen at upload or changed before the commit. */
export type ImportSettings = {
  encoding?: Encoding;
  delimiter?: Delimiter;
  mapping?: Record<string, ImportField> | ImportField[];
  preset?: string;
  policy?: ImportPolicy;
  /** A list code or id: subscribe the rows that carry consent proof. */
  subscribeList?: string | null;
  /** Decisions for distinct values; `auto` forgets staff's choice (back to the suggestion). Only the values given change. */
  values?: (Omit<ValueDecision, 'action'> & { action: ValueDecision['action'] | 'auto' })[];
  /** Decisions for new organisations (create with a type and territory, or merge); only those given change. */
  organisations?: (OrganisationDecision | { name: string; action: 'auto' })[];
};

type ImportDoc = InstanceType<typeof Import>;

const PREVIEW_LINES = 50;
const ISSUES_SHOWN = 200;
/** A commit started this many times without finishing (the process died each time) is stopped. */
export const MAX_COMMIT_ATTEMPTS = 3;

/** Creates an import from a stored file: detects its settings, maps its columns, runs the dry run. */
export async function createImport(file: StoredFile, settings: ImportSettings, actor?: Actor): Promise<ImportDoc> {
  if (file.sniffer.binary) {
    throw badRequest('Ce fichier n’est pas un fichier texte : enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) » puis importez-le.', 'file');
  }
  const sniffed = file.sniffer.result();
  const encoding = settings.encoding ?? sniffed;
  const delimiter = detectDelimiter(decodeSample(await readSample(file.filePath), encoding));
  const doc = new Import({
    fileName: file.fileName,
    filePath: file.filePath,
    size: file.size,
    detected: { encoding: sniffed, bom: file.sniffer.bom, delimiter },
    encoding,
    delimiter: settings.delimiter ?? delimiter,
    policy: settings.policy ?? 'fill',
    createdBy: actor?.id,
  });
  await configure(doc, settings, true);
  if (settings.values) doc.set('valueDecisions', await mergeValueDecisions([], settings.values));
  if (settings.organisations) doc.set('organisationDecisions', await mergeOrganisationDecisions([], settings.organisations));
  await doc.save();
  await failOnError(doc, () => runPreview(doc));
  return doc;
}

/** Changes the settings of an import not yet committed and runs the dry run again. */
export async function previewImport(id: string, settings: ImportSettings): Promise<ImportDoc> {
  const doc = await getImport(id);
  if (doc.status !== 'ready') throw conflict(doc.failure && !doc.committedAt ? dryRunFailed(doc) : 'Cet import a déjà été validé : ses réglages ne peuvent plus changer.');
  await ensureFile(doc);
  if (settings.encoding) doc.encoding = settings.encoding;
  if (settings.encoding && !settings.delimiter) doc.delimiter = detectDelimiter(decodeSample(await readSample(doc.filePath), doc.encoding));
  if (settings.delimiter) doc.delimiter = settings.delimiter;
  if (settings.policy) doc.policy = settings.policy;
  await failOnError(doc, async () => {
    await configure(doc, settings, Boolean(settings.encoding || settings.delimiter));
    if (settings.values) doc.set('valueDecisions', await mergeValueDecisions(doc.valueDecisions as ValueDecision[], settings.values));
    if (settings.organisations) doc.set('organisationDecisions', await mergeOrganisationDecisions(doc.organisationDecisions as OrganisationDecision[], settings.organisations));
    await doc.save();
    await runPreview(doc);
  });
  return doc;
}

/**
 * A dry run that fails on the file itself (a cell too long, the file gone) marks the import
 * failed with the reason, and it cannot be committed; a wrong setting (400 on a field other
 * than the file) leaves it as it was.
 */
async function failOnError(doc: ImportDoc, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const appError = error instanceof AppError ? error : undefined;
    if (appError && appError.field !== 'file') throw error;
    const reason = appError?.message ?? 'Le contrôle du fichier a échoué sur une erreur inattendue.';
    await Import.updateOne({ _id: doc._id }, { $set: { status: 'failed', failure: reason } });
    throw appError ?? error;
  }
}

const dryRunFailed = (doc: ImportDoc) => `Le contrôle de ce fichier a échoué : ${doc.failure} Il ne peut pas être validé ; importez le fichier corrigé.`;

/** The uploaded file must still be there (DATA_DIR restored without it, removed by hand...). */
async function ensureFile(doc: ImportDoc): Promise<void> {
  if (await access(doc.filePath).then(() => true, () => false)) return;
  const reason = 'Le fichier de cet import n’est plus sur le serveur : importez-le à nouveau.';
  await Import.updateOne({ _id: doc._id }, { $set: { status: 'failed', failure: reason } });
  throw new AppError(409, 'file_missing', reason, 'file');
}

/** Header, mapping and list to subscribe to. A mapping given by the user must be complete. */
async function configure(doc: ImportDoc, settings: ImportSettings, rereadHeader: boolean): Promise<void> {
  if (rereadHeader || !doc.headers.length) {
    const header = await readHeader(doc.filePath, doc);
    if (!header) throw badRequest('Le fichier est vide.', 'file');
    const reserved = header.cells.findIndex(isReservedName);
    if (reserved >= 0) {
      throw badRequest(`Ligne ${header.line} : la colonne ${reserved + 1} s’appelle « ${header.cells[reserved].trim()} », un nom réservé. Renommez-la puis importez le fichier à nouveau.`, 'file');
    }
    doc.headerLine = header.line;
    doc.headers = header.cells.map((cell, i) => cell.trim() || `Colonne ${i + 1}`);
    doc.detected!.preset = recognisePreset(doc.headers);
  }
  let mapping: ColumnMapping[];
  if (settings.preset) {
    mapping = suggestMapping(doc.headers, (await presetOf(settings.preset)).columns);
    doc.preset = settings.preset;
  } else if (rereadHeader || !doc.mapping.length) {
    mapping = suggestMapping(doc.headers);
  } else {
    mapping = doc.mapping.map((m) => ({ column: m.column, header: m.header, field: m.field as ImportField }));
  }
  if (settings.mapping) {
    mapping = mappingFrom(doc.headers, settings.mapping, mapping);
    const problem = mappingProblem(mapping);
    if (problem) throw badRequest(problem, 'mapping');
  }
  doc.set('mapping', mapping);
  doc.problem = mappingProblem(mapping);
  if (settings.subscribeList !== undefined) doc.subscribeList = settings.subscribeList ? await listId(settings.subscribeList) : null;
}

async function listId(codeOrId: string): Promise<Types.ObjectId> {
  const list = await List.findOne(Types.ObjectId.isValid(codeOrId) && /^[a-f0-9]{24}$/i.test(codeOrId) ? { _id: codeOrId } : { code: codeOrId }, { _id: 1 }).lean();
  if (!list) throw badRequest(`Liste inconnue « ${codeOrId} ».`, 'subscribeList');
  return list._id;
}

function sourceOf(doc: ImportDoc): ImportSource {
  return {
    _id: doc._id,
    filePath: doc.filePath,
    encoding: doc.encoding as Encoding,
    delimiter: doc.delimiter as Delimiter,
    headerLine: doc.headerLine,
    mapping: doc.mapping.map((m) => ({ column: m.column, header: m.header, field: m.field as ImportField })),
    policy: doc.policy as ImportPolicy,
  };
}

/** The decisions a run starts from: staff's, the preset's, and those of earlier imports. */
async function resolverFor(doc: ImportDoc): Promise<Resolver> {
  const [preset, learned] = await Promise.all([doc.preset ? presetOf(doc.preset).then((p) => p.values) : [], rememberedDecisions()]);
  return Resolver.create({ values: doc.valueDecisions as ValueDecision[], preset, learned, organisations: doc.organisationDecisions as OrganisationDecision[] });
}

/**
 * The dry run: every line planned against the database, nothing written but the import's own
 * report — counts, first lines, distinct values and new organisations with their decisions,
 * subscriptions; the commit applies exactly these decisions.
 */
async function runPreview(doc: ImportDoc): Promise<void> {
  await ImportIssue.deleteMany({ import: doc._id, phase: 'preview' });
  const counts = emptyCounts();
  const lines: unknown[] = [];
  let values: ValueReport[] = [];
  let organisations: OrganisationReport[] = [];
  const byList = new Map<string, number>();
  if (!doc.problem) {
    const resolver = await resolverFor(doc);
    await forEachBatch(sourceOf(doc), resolver, { againstImported: false }, async (batch) => {
      const all = [...batch.plans, ...batch.laterDuplicates];
      const subscriptions = await plannedSubscriptions(all, batch.plans.filter((p) => p.action === 'create').map((plan) => ({ plan, id: newObjectId() })), { subscribeList: doc.subscribeList });
      addCounts(counts, { ...batch.counts, subscribed: subscriptions.docs.length });
      for (const doc of subscriptions.docs) byList.set(String(doc.list), (byList.get(String(doc.list)) ?? 0) + 1);
      await saveIssues(doc._id, 'preview', batch.index, [...batch.issues, ...subscriptions.issues]);
      if (lines.length < PREVIEW_LINES) {
        const described = [...batch.plans.map(describePlan), ...batch.issues.filter((i) => i.kind !== 'warning').map(describeIssue)].sort((a, b) => a.line - b.line);
        lines.push(...described.slice(0, PREVIEW_LINES - lines.length));
      }
    });
    values = resolver.values.reports();
    organisations = resolver.organisations.list();
    Object.assign(counts, creationCounts(values, organisations));
  }
  const lists = await List.find({ _id: { $in: [...byList.keys()] } }, { name: 1 }).lean();
  const subscriptions = lists.map((l) => ({ list: String(l._id), name: l.name, count: byList.get(String(l._id)) ?? 0 }));
  doc.set('preview', { counts, lines, subscriptions, at: new Date() });
  doc.set('values', values);
  doc.set('organisations', organisations);
  doc.set('progress', { done: 0, total: counts.rows });
  await doc.save();
}

function creationCounts(values: readonly ValueReport[], organisations: readonly OrganisationReport[]) {
  const created = values.filter((v) => v.action === 'create');
  return {
    organisationsCreated: organisations.filter((o) => o.action === 'create').length,
    themesCreated: created.filter((v) => v.field === 'themes').length,
    entriesCreated: created.filter((v) => v.field !== 'themes').length,
  };
}

function describeIssue(issue: Issue) {
  return { line: issue.line, row: issue.row, action: issue.kind, column: issue.column, reason: issue.reason };
}

/** Queues the commit; the job calls `runCommit`. */
export async function requestCommit(id: string, actor?: Actor): Promise<ImportDoc> {
  const doc = await getImport(id);
  if (doc.status === 'failed' && !doc.committedAt) throw conflict(dryRunFailed(doc));
  if (doc.problem) throw badRequest(doc.problem, 'mapping');
  if (['ready', 'failed'].includes(doc.status)) await ensureFile(doc);
  const queued = await Import.findOneAndUpdate(
    { _id: doc._id, status: { $in: ['ready', 'failed'] } },
    { $set: { status: 'queued', committedBy: actor?.id, committedAt: new Date(), attempts: 0 }, $unset: { failure: '' } },
    { returnDocument: 'after' },
  );
  if (!queued) throw conflict('Cet import a déjà été validé.');
  return queued;
}

/** `afterBatchWritten` lets tests simulate a crash; `batchSize` keeps their files small. */
export type CommitHooks = { afterBatchWritten?: (index: number) => Promise<void> | void; batchSize?: number };

/**
 * Commits an import in batches, resumable: the cursor on the import says which batches are
 * done; the batches a crash left after it are reverted from their journals, then redone.
 * Counts and progress are on the import while it runs (`progressSaver`).
 */
export async function runCommit(id: string, hooks: CommitHooks = {}): Promise<ImportDoc> {
  const found = await getImport(id);
  if (!['queued', 'running', 'failed'].includes(found.status)) return found;
  const doc = (await Import.findOneAndUpdate({ _id: found._id }, { $set: { status: 'running' }, $inc: { attempts: 1 } }, { returnDocument: 'after' }))!;
  try {
    if (doc.attempts > MAX_COMMIT_ATTEMPTS) {
      throw new AppError(500, 'interrupted', `La validation a été interrompue ${MAX_COMMIT_ATTEMPTS} fois sans aboutir : elle est arrêtée. Relancez-la une fois la cause corrigée.`);
    }
    await ensureFile(doc);
    await recoverInterruptedBatch(doc);
    const actor = await actorOf(doc.committedBy);
    const values = doc.values as ValueReport[];
    const organisations = doc.organisations as OrganisationReport[];
    const created = await createAnnouncedEntries(values, organisations, actor);
    await Import.updateOne({ _id: doc._id }, { $set: { created, ...prefixed('counts', creationCounts(values, organisations)) } });
    const resolver = await Resolver.create({ values: storedDecisions(values), organisations: organisations.map((o) => ({ ...o, target: o.id })) });
    const ctx = { importId: doc._id, actor, resolver, subscribeList: doc.subscribeList };
    const options = { skipRecords: doc.cursor!.records, firstBatch: doc.cursor!.batches, againstImported: true, batchSize: hooks.batchSize, prepare: (batch: BatchResult) => prepareBatch(batch, ctx) };
    const progress = progressSaver(doc._id);
    await forEachBatch(sourceOf(doc), resolver, options, async (batch, prepared) => {
      const applied = await writeBatch(batch, prepared, ctx);
      await hooks.afterBatchWritten?.(batch.index);
      await saveIssues(doc._id, 'commit', batch.index, [...batch.issues, ...applied.issues]);
      await progress.batchWritten(batch, { ...batch.counts, subscribed: applied.subscribed });
    });
    await progress.save();
    await Import.updateOne({ _id: doc._id }, { $set: { status: 'done', finishedAt: new Date() } });
    await rememberDecisions(values);
  } catch (error) {
    await Import.updateOne({ _id: doc._id }, { $set: { status: 'failed', failure: (error as Error).message } });
    throw error;
  }
  return getImport(id);
}

/**
 * A commit's cursor, counts and progress, saved on the import at most once a second and at the
 * end: the import's document holds its preview and value report (~50 KB), which FerretDB reads
 * and rewrites whole at each update (25-30 ms of its time, a batch's worth every few batches).
 * After a crash, the batches written since the last save are reverted and redone, their counts
 * with them.
 */
const SAVE_PROGRESS_MS = 1000;
function progressSaver(importId: Types.ObjectId) {
  let unsaved: { cursor: { batches: number; records: number }; counts: Record<string, number> } | undefined;
  let savedAt = Date.now();
  const save = async () => {
    if (!unsaved) return;
    const { cursor, counts } = unsaved;
    unsaved = undefined;
    savedAt = Date.now();
    await Import.updateOne(
      { _id: importId },
      {
        $set: { 'cursor.batches': cursor.batches, 'cursor.records': cursor.records, 'progress.done': cursor.records },
        $inc: prefixed('counts', { ...counts, organisationsCreated: 0, themesCreated: 0, entriesCreated: 0 }),
      },
    );
  };
  return {
    save,
    async batchWritten(batch: BatchResult, counts: ImportCounts) {
      const total = unsaved?.counts ?? {};
      for (const [key, value] of Object.entries(counts)) total[key] = (total[key] ?? 0) + value;
      unsaved = { cursor: { batches: batch.index + 1, records: batch.recordsEnd }, counts: total };
      if (Date.now() - savedAt >= SAVE_PROGRESS_MS) await save();
    },
  };
}

/** After a crash: batches before the cursor are done; those after it were written since its last save and are reverted. */
async function recoverInterruptedBatch(doc: ImportDoc): Promise<void> {
  const done = doc.cursor!.batches;
  const interrupted = await ImportBatch.find({ import: doc._id, index: { $gte: done } }).sort({ index: -1 });
  for (const journal of interrupted) {
    await revertBatch(journal);
    await journal.deleteOne();
  }
  await ImportIssue.deleteMany({ import: doc._id, phase: 'commit', batch: { $gte: done } });
}

async function actorOf(userId: unknown): Promise<Actor | undefined> {
  if (!userId) return undefined;
  const user = await User.findById(userId).lean();
  return user ? { id: String(user._id), role: user.role, name: user.name } : undefined;
}

export async function requestUndo(id: string): Promise<ImportDoc> {
  const doc = await getImport(id);
  const undoing = await Import.findOneAndUpdate(
    { _id: doc._id, status: { $in: ['done', 'failed', 'undoing'] } },
    { $set: { status: 'undoing' } },
    { returnDocument: 'after' },
  );
  if (!undoing) throw conflict(doc.status === 'undone' ? 'Cet import a déjà été annulé.' : 'Seul un import terminé peut être annulé.');
  return undoing;
}

/**
 * Undoes a committed import, newest batch first: contacts it created are deleted, fields it
 * changed get their previous values back — except where someone edited them since: those
 * contacts keep their values and are listed in the undo report.
 */
export async function runUndo(id: string): Promise<ImportDoc> {
  const doc = await getImport(id);
  if (doc.status !== 'undoing') return doc;
  const journals = await ImportBatch.find({ import: doc._id, state: { $ne: 'undone' } }).sort({ index: -1 });
  for (const journal of journals) {
    const report = await revertBatch(journal);
    await Import.updateOne(
      { _id: doc._id },
      { $inc: { 'undoReport.deleted': report.deleted, 'undoReport.restored': report.restored }, $push: { 'undoReport.kept': { $each: report.kept } } },
    );
    journal.state = 'undone';
    await journal.save();
  }
  const removed = await removeCreatedEntries(doc.created as CreatedEntries);
  const entries = removed.organisations + removed.themes + removed.vocabularies;
  await Import.updateOne({ _id: doc._id }, { $set: { status: 'undone', 'undoReport.at': new Date(), 'undoReport.entries': entries } });
  return getImport(id);
}

export async function getImport(id: string): Promise<ImportDoc> {
  const doc = await Import.findById(id);
  if (!doc) throw notFound('Import');
  return doc;
}

/** The import with the lines it reports (the first ones) and their number per kind. */
export async function importDetails(id: string) {
  const doc = await getImport(id);
  const phase = doc.status === 'ready' ? 'preview' : 'commit';
  const [issues, byKind] = await Promise.all([
    ImportIssue.find({ import: doc._id, phase }, { cells: 0 }).sort({ line: 1 }).limit(ISSUES_SHOWN).lean(),
    ImportIssue.aggregate<{ _id: string; n: number }>([{ $match: { import: doc._id, phase } }, { $group: { _id: '$kind', n: { $sum: 1 } } }]),
  ]);
  return {
    ...doc.toJSON(),
    filePath: undefined,
    issues: issues.map(({ _id, import: _import, phase: _phase, ...issue }) => issue),
    issueCounts: Object.fromEntries(byKind.map((k) => [k._id, k.n])),
  };
}

export async function listImports(query: ListQuery<{ status?: string; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.status) where.status = query.filter.status;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Import.find(where, { 'preview.lines': 0 }).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit),
    Import.countDocuments(where),
  ]);
  return { items, total };
}

/**
 * The lines not imported (errors and suppressed addresses) with their original columns, the
 * file line and the reason, as a CSV staff can fix and import again. Streamed.
 */
export async function writeErrorsCsv(id: string, out: Writable): Promise<void> {
  const doc = await getImport(id);
  const phase = doc.status === 'ready' ? 'preview' : 'commit';
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('\uFEFF' + csvLine([...doc.headers, 'Ligne du tableur', 'Ligne du fichier texte', 'Motif'], doc.delimiter));
  const cursor = ImportIssue.find({ import: doc._id, phase, kind: { $in: ['error', 'skipped'] } }).sort({ line: 1 }).lean().cursor();
  for await (const issue of cursor) {
    const cells = doc.headers.map((_, i) => issue.cells[i] ?? '');
    await write(csvLine([...cells, String(issue.row ?? issue.line), String(issue.line), issue.reason], doc.delimiter));
  }
  out.end();
}

export function errorsFileName(doc: { fileName: string }): string {
  return `erreurs-${doc.fileName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_')}.csv`;
}

// Presets: the built-in ones (Mailchimp, Brevo) and those staff saved.

export async function listPresets() {
  const saved = await ImportPreset.find().sort({ name: 1 }).lean();
  return [
    ...Object.entries(BUILT_IN_PRESETS).map(([key, preset]) => ({
      id: key,
      name: preset.name,
      builtIn: true,
      columns: Object.entries(preset.columns).map(([header, field]) => ({ header, field })),
    })),
    ...saved.map((preset) => ({ id: String(preset._id), name: preset.name, builtIn: false, columns: preset.columns })),
  ];
}

/** Saves a mapping for files of the same shape, with its value decisions: given, or taken from an import. */
export async function savePreset(
  input: { name: string; columns?: { header: string; field: ImportField }[]; values?: ValueDecision[]; fromImport?: string },
  actor?: Actor,
) {
  let { columns, values = [] } = input;
  if (input.fromImport) {
    const doc = await getImport(input.fromImport);
    columns = doc.mapping.filter((m) => m.field !== 'ignore').map((m) => ({ header: m.header, field: m.field as ImportField }));
    const catalog = await loadCatalog();
    // a new entry the import created is an existing one for the next file
    const exists = (v: ValueDecision) => v.action === 'create' && catalog[v.field].some((e) => e.id === v.targets?.[0]);
    values = storedDecisions((doc.values as ValueReport[]).filter((v) => v.source !== 'none')).map((v) => (exists(v) ? { field: v.field, value: v.value, action: 'existing', targets: v.targets } : v));
  }
  if (!columns?.length) throw badRequest('Un modèle doit associer au moins une colonne.', 'columns');
  return ImportPreset.create({ name: input.name, columns, values, createdBy: actor?.id });
}

export async function deletePreset(id: string): Promise<void> {
  const deleted = await ImportPreset.findByIdAndDelete(id);
  if (!deleted) throw notFound('Modèle');
}

/** A preset's columns and value decisions; Mailchimp and Brevo start with no value decision. */
async function presetOf(key: string): Promise<{ columns: Record<string, ImportField>; values: ValueDecision[] }> {
  const builtIn = Object.hasOwn(BUILT_IN_PRESETS, key) ? BUILT_IN_PRESETS[key as keyof typeof BUILT_IN_PRESETS] : undefined;
  if (builtIn) return { columns: builtIn.columns, values: [] };
  const saved = /^[a-f0-9]{24}$/i.test(key) ? await ImportPreset.findById(key).lean() : await ImportPreset.findOne({ name: key }).lean();
  if (!saved) throw badRequest(`Modèle de correspondance inconnu « ${key} ».`, 'preset');
  return { columns: Object.fromEntries(saved.columns.map((c) => [normalizeText(c.header), c.field as ImportField])), values: (saved.values ?? []) as ValueDecision[] };
}

// Value decisions: merged partially, checked against the lists, remembered for the next imports.

const memoryId = (field: string, value: string) => `${field}:${valueKey(value)}`;

async function rememberedDecisions(): Promise<ValueDecision[]> {
  return (await ImportValueMemory.find().lean()).map((m) => m.decision as ValueDecision);
}

/** What staff chose (or a preset said, or a new entry) becomes "chosen before" for the next files. */
async function rememberDecisions(values: readonly ValueReport[]): Promise<void> {
  const kept = values.filter((v) => (v.source === 'staff' || v.source === 'preset') && (v.action === 'existing' || v.action === 'create'));
  if (!kept.length) return;
  await ImportValueMemory.bulkWrite(
    kept.map((v) => ({
      replaceOne: { filter: { _id: memoryId(v.field, v.value) }, replacement: { _id: memoryId(v.field, v.value), decision: { field: v.field, value: v.value, action: 'existing', targets: v.targets }, at: new Date() }, upsert: true },
    })),
  );
}

async function mergeValueDecisions(current: readonly ValueDecision[], given: NonNullable<ImportSettings['values']>): Promise<ValueDecision[]> {
  const catalog = await loadCatalog();
  const byKey = new Map(current.map((d) => [memoryId(d.field, d.value), d]));
  for (const [i, decision] of given.entries()) {
    const key = memoryId(decision.field, decision.value);
    if (decision.action === 'auto') {
      byKey.delete(key);
      continue;
    }
    if (decision.action === 'existing') {
      const unknown = (decision.targets ?? []).find((t) => !catalog[decision.field].some((e) => e.id === t));
      if (!decision.targets?.length || unknown !== undefined) throw badRequest(`Valeur inconnue « ${unknown ?? ''} » pour « ${decision.value} ».`, `values.${i}.targets`);
    }
    if (decision.action === 'create') {
      if (decision.field === 'lists') throw badRequest('Une liste de diffusion se crée dans « Listes », pas pendant un import.', `values.${i}.action`);
      if (!decision.label?.trim()) throw badRequest(`Libellé manquant pour créer « ${decision.value} ».`, `values.${i}.label`);
      if (decision.parent && !catalog.themes.some((t) => t.id === decision.parent)) throw badRequest('Thème parent inconnu.', `values.${i}.parent`);
    }
    byKey.set(key, { ...decision, action: decision.action } as ValueDecision);
  }
  return [...byKey.values()];
}

async function mergeOrganisationDecisions(current: readonly OrganisationDecision[], given: NonNullable<ImportSettings['organisations']>): Promise<OrganisationDecision[]> {
  const byKey = new Map(current.map((d) => [organisationKey(d.name), d]));
  for (const [i, decision] of given.entries()) {
    if (decision.action === 'auto') {
      byKey.delete(organisationKey(decision.name));
      continue;
    }
    if (decision.action === 'merge' && !(decision.target && (await Organisation.exists({ _id: decision.target })))) {
      throw badRequest(`Organisation inconnue pour fusionner « ${decision.name} ».`, `organisations.${i}.target`);
    }
    if (decision.action === 'create' && decision.type && !(await Vocabulary.exists({ kind: 'organisationTypes', code: decision.type }))) {
      throw badRequest(`Type de structure inconnu « ${decision.type} ».`, `organisations.${i}.type`);
    }
    if (decision.action === 'create' && decision.territory) assertTerritories([decision.territory], `organisations.${i}.territory`);
    byKey.set(organisationKey(decision.name), decision);
  }
  return [...byKey.values()];
}

const prefixed = (prefix: string, values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}.${key}`, value]));

export type { KeptContact };
