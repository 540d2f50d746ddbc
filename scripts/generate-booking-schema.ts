/**
 * Writes templates/booking-event.schema.json and the field table in docs/booking-events.md from
 * the zod definition in lib/booking/schema.ts. Run: npx tsx scripts/generate-booking-schema.ts
 * With --check it writes nothing and exits 1 when either file is out of date.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { bookingEventJsonSchemaText, replaceFieldsTable } from '../lib/booking/schemaDoc';

const root = join(__dirname, '..');
const schemaPath = join(root, 'templates', 'booking-event.schema.json');
const docPath = join(root, 'docs', 'booking-events.md');
const check = process.argv.includes('--check');

const read = (p: string) => {
	try {
		return readFileSync(p, 'utf8');
	} catch {
		return '';
	}
};

const outputs: Array<[string, string]> = [
	[schemaPath, bookingEventJsonSchemaText()],
	[docPath, replaceFieldsTable(read(docPath))],
];
let stale = 0;
for (const [path, text] of outputs) {
	if (read(path) === text) continue;
	stale++;
	if (check) console.error(`out of date: ${path}`);
	else {
		writeFileSync(path, text);
		console.log(`wrote ${path}`);
	}
}
if (check && stale > 0) process.exit(1);
if (stale === 0) console.log('booking schema outputs are up to date');
