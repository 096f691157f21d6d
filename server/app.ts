import cookieParser from 'cookie-parser';
import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import { adminStatic } from './admin-static.js';
import type { AppContext } from './context.js';
import { errorHandler, notFoundHandler } from './lib/errors.js';
import { requestLog } from './lib/request-log.js';
import { sameOriginWrites } from './lib/same-origin.js';
import { apiRoutes, publicRoutes } from './routes.js';

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  const logRequests = requestLog(ctx.logger);
  // Reading the public archive and loading the admin's files are not events worth a line each
  // (a crowd on /lettres spent a fifth of its CPU logging); an error there is still logged.
  const quietRead = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && /^\/(lettres|admin\/assets)(\/|$)/.test(req.path);
  app.use((req, res, next) => (quietRead(req) ? next() : logRequests(req, res, next)));
  const https = ctx.config.publicUrl.startsWith('https://');
  app.use(
    helmet({
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: https,
      contentSecurityPolicy: {
        directives: {
          upgradeInsecureRequests: https ? [] : null,
          // Messages show images by URL: the admin's previews (srcdoc frames, under this policy) must too.
          imgSrc: ["'self'", 'data:', 'https:'],
        },
      },
    }),
  );
  app.use('/api', sameOriginWrites(ctx.config.publicUrl));
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(cookieParser());
  app.use('/api', apiRoutes(ctx));
  app.use('/admin', adminStatic());
  app.use('/', publicRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));
  return app;
}
