import { z } from 'zod';

/** A territory id as the API takes it (`commune-93066`); whether it exists is checked by `assertTerritories`. */
export const territoryId = z.string().regex(/^(region|departement|epci|commune|qualite)-[0-9A-Za-z-]{1,20}$/, 'territoire inconnu');
