/**
 * CLI for the fake WhatsApp Cloud API.
 *
 *   tsx scripts/fake-cloud-api/cli.ts [--port 4010] [--host 127.0.0.1] [--config seed.json]
 *                                     [--status-delay-ms 50] [--quiet]
 *
 * seed.json:
 * {
 *   "phoneNumbers": [{ "phoneNumberId": "...", "wabaId": "...", "accessToken": "...", "appSecret": "...", "webhookUrl": "..." }],
 *   "templates": [{ "wabaId": "...", "templates": [{ "name": "...", "language": "en_US", "category": "UTILITY", "components": [...] }] }]
 *              // or an object { "<wabaId>": [templates...] }
 *   "config": { "templateReviewOutcome": "APPROVED", "statusDelayMs": 50 }
 * }
 *
 * Prints `FAKE_CLOUD_API_URL=<url>` on stdout once listening; stops cleanly on SIGINT/SIGTERM.
 */
import * as fs from 'node:fs';

import { startFakeCloudApi, type FakePhoneNumber, type StartOptions, type TemplateSeed } from './server';

function parseArgs(argv: string[]): Record<string, string | true> {
	const out: Record<string, string | true> = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) continue;
		const eq = a.indexOf('=');
		if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
		else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
		else out[a.slice(2)] = true;
	}
	return out;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (args.help) {
		process.stdout.write('usage: tsx scripts/fake-cloud-api/cli.ts [--port 4010] [--host 127.0.0.1] [--config file.json] [--status-delay-ms n] [--quiet]\n');
		return;
	}
	const opts: StartOptions = {
		port: args.port !== undefined ? Number(args.port) : 4010,
		host: typeof args.host === 'string' ? args.host : '127.0.0.1',
		log: args.quiet ? undefined : (line) => process.stderr.write(`[fake-cloud-api] ${line}\n`),
	};
	if (args['status-delay-ms'] !== undefined) opts.statusDelayMs = Number(args['status-delay-ms']);
	if (typeof args.config === 'string') {
		const cfg = JSON.parse(fs.readFileSync(args.config, 'utf8')) as {
			phoneNumbers?: FakePhoneNumber[];
			templates?: Array<{ wabaId: string; templates: TemplateSeed[] }> | Record<string, TemplateSeed[]>;
			config?: StartOptions['config'];
		};
		opts.phoneNumbers = cfg.phoneNumbers ?? [];
		opts.templates = Array.isArray(cfg.templates)
			? cfg.templates
			: Object.entries(cfg.templates ?? {}).map(([wabaId, templates]) => ({ wabaId, templates }));
		if (cfg.config) opts.config = cfg.config;
	}
	const fake = await startFakeCloudApi(opts);
	process.stdout.write(`FAKE_CLOUD_API_URL=${fake.url}\n`);

	let stopping = false;
	const stop = (sig: string) => {
		if (stopping) return;
		stopping = true;
		process.stderr.write(`[fake-cloud-api] ${sig}: shutting down\n`);
		fake.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
	process.stderr.write(`[fake-cloud-api] ${(e as Error).stack ?? e}\n`);
	process.exit(1);
});
