export type ImportStatus = 'ready' | 'queued' | 'running' | 'done' | 'failed' | 'undoing' | 'undone';
export type Counts = { rows: number; created: number; updated: number; unchanged: number; duplicates: number; skipped: number; errors: number; subscribed: number };
export type PreviewLine = { line: number; action: string; email?: string; values?: Record<string, unknown>; column?: string; reason?: string };
export type Issue = { line: number; kind: 'error' | 'skipped' | 'duplicate' | 'notice'; column?: string; reason: string };

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
  preview: { counts: Counts; lines: PreviewLine[]; at?: string };
  counts: Counts;
  progress: { done: number; total: number };
  failure?: string;
  /** Set once a commit was asked for: a failed import without it failed its dry run (upload it again). */
  committedAt?: string;
  undoReport?: { at?: string; deleted: number; restored: number; kept: unknown[] };
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
  { id: 'themes', name: 'Thématiques' },
  { id: 'territories', name: 'Territoires' },
  { id: 'dispositifs', name: 'Dispositifs' },
  { id: 'notes', name: 'Notes' },
  { id: 'consentAt', name: 'Date du consentement' },
  { id: 'consentConfirmedAt', name: 'Date de confirmation du consentement' },
  { id: 'consentIp', name: 'Adresse IP du consentement' },
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
  ['subscribed', 'Abonnements'],
];
