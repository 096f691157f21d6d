import type { Request, Response } from 'express';
import { z } from 'zod';
import { badRequest, issuePath, notFound } from './errors.js';

/** The ra-data-simple-rest list query: ?filter={...}&sort=["field","ASC"]&range=[0,24]. */
export type ListQuery<F = Record<string, unknown>> = {
  filter: F;
  sort: { field: string; order: 1 | -1 };
  skip: number;
  limit: number;
};

export const MAX_PAGE = 1000;

export const objectId = z.string().regex(/^[a-f0-9]{24}$/i, 'identifiant invalide');

const sortSchema = z.tuple([z.string().regex(/^[A-Za-z][\w.]*$/, 'champ de tri invalide'), z.enum(['ASC', 'DESC'])]);
const rangeSchema = z.tuple([z.number().int().min(0), z.number().int().min(0)]).refine(([a, b]) => b >= a, 'intervalle invalide');

function parseJsonParam(req: Request, name: string): unknown {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw badRequest(`Le paramètre « ${name} » doit être du JSON.`, name);
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest(`Le paramètre « ${name} » n'est pas du JSON valide.`, name);
  }
}

export function parseListQuery<F>(
  req: Request,
  filterSchema: z.ZodType<F>,
  defaults: { sort: [string, 'ASC' | 'DESC']; sortable?: readonly string[] },
): ListQuery<F> {
  const filterResult = filterSchema.safeParse(parseJsonParam(req, 'filter') ?? {});
  if (!filterResult.success) {
    const issue = filterResult.error.issues[0];
    const field = ['filter', ...issuePath(issue)].join('.');
    throw badRequest(`Filtre invalide (${field}) : ${issue.message}`, field);
  }
  const sort = sortSchema.safeParse(parseJsonParam(req, 'sort') ?? defaults.sort);
  if (!sort.success) throw badRequest('Le paramètre « sort » est invalide.', 'sort');
  if (defaults.sortable && !defaults.sortable.includes(sort.data[0])) {
    throw badRequest(`Tri impossible sur le champ « ${sort.data[0]} ».`, 'sort');
  }
  const range = rangeSchema.safeParse(parseJsonParam(req, 'range') ?? [0, 24]);
  if (!range.success) throw badRequest('Le paramètre « range » est invalide.', 'range');
  const [start, end] = range.data;
  return {
    filter: filterResult.data,
    sort: { field: sort.data[0] === 'id' ? '_id' : sort.data[0], order: sort.data[1] === 'ASC' ? 1 : -1 },
    skip: start,
    limit: Math.min(end - start + 1, MAX_PAGE),
  };
}

export function sendList(res: Response, resource: string, items: unknown[], total: number, skip: number): void {
  const end = items.length ? skip + items.length - 1 : skip;
  res.set('Content-Range', `${resource} ${skip}-${end}/${total}`);
  res.json(items);
}

/** Parses a body with a zod schema; errors name the field (rendered by the error middleware). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  return schema.parse(body ?? {});
}

/** The `:id` route parameter; a malformed id is a 404 like an unknown one. */
export function idParam(req: Request, name = 'id'): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !objectId.safeParse(value).success) throw notFound();
  return value;
}
