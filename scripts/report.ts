import { parseArgs } from 'node:util';
import { runCli } from '../server/cli.js';
import { reportToCsv, reportToMarkdown } from '../server/reports/report.format.js';
import { activityReport } from '../server/reports/report.service.js';

// npm run report -- 2025 [--format md|csv|json]   (Markdown by default, on stdout)
const { values, positionals } = parseArgs({ options: { format: { type: 'string', default: 'md' } }, allowPositionals: true });
const year = Number(positionals[0]);
if (!Number.isInteger(year) || year < 2000 || year > 2100) {
  console.error('Usage : npm run report -- AAAA [--format md|csv|json] (année entre 2000 et 2100).');
  process.exit(2);
}
if (!['md', 'csv', 'json'].includes(values.format!)) {
  console.error(`Format inconnu « ${values.format} » : md, csv ou json.`);
  process.exit(2);
}

await runCli(async () => {
  const report = await activityReport(year);
  const output = values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : values.format === 'csv' ? reportToCsv(report) : reportToMarkdown(report);
  process.stdout.write(output);
});
