import { createLogger } from '../../server/lib/logger.js';
import { guardProcess, UNCAUGHT_BURST } from '../../server/process.js';

/** A process with the app's guards: errors nothing catches, once or in a burst (`burst` argument). */
guardProcess(createLogger('error'), () => {
  console.log('gave up');
  process.exit(1);
});
void Promise.reject(new Error('rejet que personne n’attend'));
setTimeout(() => {
  throw new Error('exception que personne ne rattrape');
}, 10);
if (process.argv[2] === 'burst') {
  for (let i = 0; i < UNCAUGHT_BURST; i++) {
    setTimeout(() => {
      throw new Error('encore une');
    }, 20);
  }
}
setTimeout(() => {
  console.log('still serving');
  process.exit(0);
}, 300);
