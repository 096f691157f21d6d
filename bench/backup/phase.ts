import { MongoClient } from 'mongodb';
import { backupDatabase } from '../../server/ops/backup.service.js';
import { restoreDatabase } from '../../server/ops/restore.service.js';

// One phase in a process of its own, so that its peak RSS is its own: prints {"seconds","peakRssMiB"}.
const [phase, uri, file] = process.argv.slice(2);
const client = await MongoClient.connect(uri);
const started = performance.now();
if (phase === 'backup') await backupDatabase(client.db(), file);
else if (phase === 'restore') await restoreDatabase(client.db(), file);
else throw new Error(`unknown phase ${phase}`);
const seconds = (performance.now() - started) / 1000;
await client.close();
console.log(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
