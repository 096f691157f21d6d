import { Types } from 'mongoose';
import { someContactMatches } from '../contacts/contact.store.js';
import { Organisation } from '../organisations/organisation.model.js';
import { createOrganisation, deleteOrganisation } from '../organisations/organisation.service.js';
import { Theme } from '../themes/theme.model.js';
import { createTheme } from '../themes/theme.service.js';
import type { Actor } from '../users/user.service.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { createVocabularyEntry } from '../vocabularies/vocabulary.service.js';
import type { OrganisationReport } from './import.organisations.js';
import { codeOf, type ValueField, type ValueReport } from './import.values.js';

/**
 * What an import creates besides contacts: the organisations, themes and list entries its dry
 * run announced, with the ids it gave them. Created before the first batch (a resumed commit
 * finds them and goes on); undo removes those no contact uses any more.
 */
export type CreatedEntries = { organisations: string[]; themes: string[]; vocabularies: string[] };

const VOCABULARY_KIND: Partial<Record<ValueField, 'functions' | 'dispositifs' | 'organisationTypes'>> = {
  function: 'functions',
  dispositifs: 'dispositifs',
  organisationType: 'organisationTypes',
};

export async function createAnnouncedEntries(values: readonly ValueReport[], organisations: readonly OrganisationReport[], actor?: Actor): Promise<CreatedEntries> {
  const created: CreatedEntries = { organisations: [], themes: [], vocabularies: [] };
  for (const value of values.filter((v) => v.action === 'create' && v.lines > 0)) {
    const target = value.targets![0];
    if (value.field === 'themes') {
      if (!(await Theme.exists({ _id: target }))) await createTheme({ _id: new Types.ObjectId(target), code: await freeThemeCode(value.label!), name: value.label!, parent: value.parent ?? null } as never);
      created.themes.push(target);
    } else {
      const kind = VOCABULARY_KIND[value.field]!;
      const entry = (await Vocabulary.findOne({ kind, code: target }, { _id: 1 }).lean()) ?? (await createVocabularyEntry({ kind, code: target, label: value.label!, order: 1000 }));
      created.vocabularies.push(String(entry._id));
    }
  }
  for (const organisation of organisations.filter((o) => o.action === 'create' && o.lines > 0)) {
    if (!(await Organisation.exists({ _id: organisation.id }))) {
      await createOrganisation({ _id: new Types.ObjectId(organisation.id), name: organisation.name, type: organisation.type ?? 'autre', territory: organisation.territory ?? null } as never, actor);
    }
    created.organisations.push(organisation.id);
  }
  return created;
}

async function freeThemeCode(label: string): Promise<string> {
  const base = codeOf(label, 'theme');
  let code = base;
  for (let i = 2; await Theme.exists({ code }); i++) code = `${base}-${i}`;
  return code;
}

/** Removes what the import created and nothing uses now (a contact kept by undo keeps its organisation). */
export async function removeCreatedEntries(created: CreatedEntries): Promise<{ organisations: number; themes: number; vocabularies: number }> {
  const removed = { organisations: 0, themes: 0, vocabularies: 0 };
  for (const id of created.organisations) {
    if (await someContactMatches({ organisations: new Types.ObjectId(id) })) continue;
    await deleteOrganisation(id).then(() => removed.organisations++, () => undefined);
  }
  for (const id of created.themes) {
    if (await someContactMatches({ themes: new Types.ObjectId(id) })) continue;
    const deleted = await Theme.deleteOne({ _id: id });
    removed.themes += deleted.deletedCount;
  }
  for (const id of created.vocabularies) {
    const entry = await Vocabulary.findById(id).lean();
    if (!entry) continue;
    const field = entry.kind === 'functions' ? 'function' : entry.kind === 'dispositifs' ? 'dispositifs' : undefined;
    if (field && (await someContactMatches({ [field]: entry.code }))) continue;
    if (entry.kind === 'organisationTypes' && (await Organisation.exists({ type: entry.code }))) continue;
    await Vocabulary.deleteOne({ _id: id });
    removed.vocabularies++;
  }
  return removed;
}
