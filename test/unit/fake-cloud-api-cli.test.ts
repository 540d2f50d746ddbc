import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import axios from 'axios';

const ROOT = path.resolve(__dirname, '../..');
const TSX_CLI = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');

jest.setTimeout(20_000);

test('CLI seeds from --config, prints its URL and exits 0 on SIGTERM', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cloud-api-'));
	const config = path.join(dir, 'seed.json');
	fs.writeFileSync(
		config,
		JSON.stringify({
			phoneNumbers: [{ phoneNumberId: '1234567', wabaId: '7654321', accessToken: 'tok', appSecret: 'sec' }],
			templates: { '7654321': [{ name: 'hello', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}' }] }] },
		}),
	);
	// Run node directly on tsx's CLI so the signal reaches the process that owns the server.
	const child: ChildProcess = spawn(process.execPath, [TSX_CLI, path.join(ROOT, 'scripts/fake-cloud-api/cli.ts'), '--port', '0', '--config', config, '--quiet'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	try {
		const url = await new Promise<string>((resolve, reject) => {
			let out = '';
			const timer = setTimeout(() => reject(new Error(`no URL printed; stdout=${out}`)), 15_000);
			child.stdout!.on('data', (c: Buffer) => {
				out += c.toString();
				const m = /FAKE_CLOUD_API_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(m[1]);
				}
			});
			child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
		});
		const http = axios.create({ baseURL: url, validateStatus: () => true });
		expect((await http.get('/_fake/health')).data).toEqual({ ok: true });
		const templates = await http.get('/v23.0/7654321/message_templates', { headers: { Authorization: 'Bearer tok' } });
		expect(templates.status).toBe(200);
		expect(templates.data.data.map((t: { name: string; language: string }) => [t.name, t.language])).toEqual([['hello', 'en']]);

		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	} finally {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
