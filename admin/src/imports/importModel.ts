export type ImportStatus = 'ready' | 'queued' | 'running' | 'done' | 'failed' | 'undoing' | 'undone';
export type Counts = {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  skipped: number;
  errors: number;
  warnings: number;
  blank: number;
  subscribed: number;
  organisationsCreated: number;
  themesCreated: number;
  entriesCreated: number;
};
/** `row`: the spreadsheet row (header = 1); `line`: the text line of the file. */
export type PreviewLine = {
  line: number;
  row?: number;
  action: string;
  email?: string;
  values?: Record<string, unknown>;
  changes?: string[];
  warnings?: { column?: string; reason: string }[];
  column?: string;
  reason?: string;
};
export type Issue = { line: number; row?: number; kind: 'error' | 'warning' | 'skipped' | 'duplicate' | 'notice'; column?: string; reason: string };

/** A distinct value of a column fed by a managed list, with the decision the commit applies (server/imports/import.values.ts). */
export type ValueField = 'function' | 'themes' | 'dispositifs' | 'organisationType' | 'lists';
export type ValueRow = {
  field: ValueField;
  value: string;
  key: string;
  lines: number;
  action: 'existing' | 'create' | 'text' | 'ignore';
  targets?: string[];
  targetLabels: string[];
  label?: string;
  parent?: string | null;
  source: 'staff' | 'preset' | 'learned' | 'suggestion' | 'none';
  suggestion?: { targets: string[]; labels: string[]; reason: string; why: string };
};
export type OrganisationRow = {
  name: string;
  key: string;
  lines: number;
  action: 'create' | 'merge';
  id: string;
  target?: string;
  type?: string;
  typeReason: string;
  territory?: string | null;
  territoryLabel?: string | null;
  mergeSuggestion?: { id: string; name: string };
  source: string;
};

export type ImportDetails = {
  id: string;
  fileName: string;
  size: number;
  detected?: { encoding?: string; delimiter?: string; bom?: boolean; preset?: string };
  encoding: string;
  delimiter: string;
  headers: string[];
  mapping: { column: number; header: string; field: string }[];
  policy: 'fill' | 'overwrite';
  subscribeList: string | null;
  status: ImportStatus;
  problem?: string;
  preview: { counts: Counts; lines: PreviewLine[]; subscriptions?: { list: string; name: string; count: number }[]; at?: string };
  counts: Counts;
  progress: { done: number; total: number };
  failure?: string;
  /** Set once a commit was asked for: a failed import without it failed its dry run (upload it again). */
  committedAt?: string;
  undoReport?: { at?: string; deleted: number; restored: number; entries?: number; kept: unknown[] };
  values?: ValueRow[];
  organisations?: OrganisationRow[];
  preset?: string;
  issues: Issue[];
  issueCounts: Partial<Record<Issue['kind'], number>>;
  createdAt: string;
};

export type Preset = { id: string; name: string; builtIn: boolean; columns: { header: string; field: string }[] };

/** Labels of server/imports/import.mapping.ts's IMPORT_FIELD_LABELS. */
export const FIELD_CHOICES = [
  { id: 'email', name: 'Adresse e-mail' },
  { id: 'emails', name: 'Autres adresses e-mail' },
  { id: 'civility', name: 'Civilité' },
  { id: 'firstName', name: 'Prénom' },
  { id: 'lastName', name: 'Nom' },
  { id: 'phones', name: 'Téléphone' },
  { id: 'function', name: 'Fonction' },
  { id: 'organisation', name: 'Organisation' },
  { id: 'organisationType', name: 'Type de structure' },
  { id: 'themes', name: 'Thématiques' },
  { id: 'territories', name: 'Territoires' },
  { id: 'dispositifs', name: 'Dispositifs' },
  { id: 'lists', name: 'Listes de diffusion' },
  { id: 'notes', name: 'Notes' },
  { id: 'consentAt', name: 'Date du consentement' },
  { id: 'consentConfirmedAt', name: 'Date de confirmation du consentement' },
  { id: 'consentIp', name: 'Adresse IP du consentement' },
  { id: 'consentConfirmedIp', name: 'Adresse IP de la confirmation' },
  { id: 'ignore', name: 'Colonne ignorée' },
];

export const STATUS_LABELS: Record<ImportStatus, string> = {
  ready: 'Prêt (aperçu)',
  queued: 'En file d’attente',
  running: 'Import en cours',
  done: 'Terminé',
  failed: 'Échec',
  undoing: 'Annulation en cours',
  undone: 'Annulé',
};

export const STATUS_CHOICES = Object.entries(STATUS_LABELS).map(([id, name]) => ({ id, name }));

export const DELIMITER_CHOICES = [
  { id: ';', name: 'Point-virgule (;)' },
  { id: ',', name: 'Virgule (,)' },
  { id: '\t', name: 'Tabulation' },
  { id: '|', name: 'Barre verticale (|)' },
];

export const ENCODING_CHOICES = [
  { id: 'utf-8', name: 'UTF-8' },
  { id: 'windows-1252', name: 'Windows-1252 (Excel)' },
];

export const ACTION_LABELS: Record<string, string> = {
  create: 'Création',
  update: 'Mise à jour',
  unchanged: 'Inchangé',
  error: 'Erreur',
  warning: 'Avertissement',
  skipped: 'Ignorée',
  duplicate: 'Doublon fusionné',
  notice: 'Remarque',
};

export const COUNT_LABELS: [keyof Counts, string][] = [
  ['rows', 'Lignes'],
  ['created', 'Créations'],
  ['updated', 'Mises à jour'],
  ['unchanged', 'Inchangés'],
  ['duplicates', 'Doublons'],
  ['skipped', 'Ignorées'],
  ['errors', 'Erreurs'],
  ['warnings', 'Avertissements'],
  ['blank', 'Lignes vides'],
  ['subscribed', 'Abonnements'],
  ['organisationsCreated', 'Organisations à créer'],
  ['themesCreated', 'Thématiques à créer'],
  ['entriesCreated', 'Valeurs de liste à créer'],
];

export const VALUE_FIELD_LABELS: Record<ValueField, string> = {
  function: 'Fonctions',
  themes: 'Thématiques',
  dispositifs: 'Dispositifs',
  organisationType: 'Types de structure',
  lists: 'Listes de diffusion',
};

export const SOURCE_LABELS: Record<ValueRow['source'], string> = {
  staff: 'votre choix',
  preset: 'modèle',
  learned: 'choisi lors d’un import précédent',
  suggestion: 'suggestion',
  none: 'aucune correspondance',
};

/** "Ligne 12" or "Ligne 11 du tableur (ligne 12 du fichier texte)" when a cell spans several lines. */
export const rowLabel = (item: { row?: number; line: number }) =>
  item.row === undefined || item.row === item.line ? `Ligne ${item.line}` : `Ligne ${item.row} du tableur (ligne ${item.line} du fichier texte)`;
