/**
 * `npm start`: the product on this machine with no Meta account (docs/sandbox.md). Starts the
 * fake WhatsApp Cloud API and the pinned n8n with this package installed, creates the
 * credentials and Data tables, imports and activates every workflow in workflows/, and serves
 * the sandbox page: a guest phone, a booking simulator, the clock, links into n8n.
 *
 *   DEMO_CLOCK=fast (default) one minute/hour/day of the journey lasts one second
 *   DEMO_CLOCK=real or --real-time   the shipped timings
 *   N8N_PORT (5678), FAKE_API_PORT (4010), SANDBOX_PORT (5680); a busy usual port → a free one
 *
 * Ctrl-C stops n8n, the fake API and the page server.
 */
import net from 'net';

import { clockFromEnv } from './demo/clock';
import { startSandbox, type Sandbox } from './demo/sandbox';

const log = (line: string) => process.stdout.write(`[sandbox] ${line}\n`);
/** The env port if set; else the usual port when it is free, else any free port. */
async function port(name: string, usual: number): Promise<number> {
	if (process.env[name] !== undefined) return Number(process.env[name]);
	const free = await new Promise<boolean>((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(usual, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
	if (!free) log(`port ${usual} is in use; ${name} picks a free one`);
	return free ? usual : 0;
}

async function main(): Promise<void> {
	const clock = clockFromEnv();
	let sandbox: Sandbox | undefined;
	let stopping = 0;
	const shutdown = (signal: string) => {
		// One Ctrl-C reaches this process twice (from the terminal and relayed by tsx): only a
		// second Ctrl-C a moment later forces the exit.
		if (stopping) {
			if (Date.now() - stopping < 2000) return;
			log('forced exit');
			process.exit(1);
		}
		stopping = Date.now();
		log(`${signal}: stopping n8n, the fake API and the page server…`);
		// Still starting: exiting runs n8n-runtime's exit hook, which kills the n8n process group.
		if (!sandbox) process.exit(130);
		void sandbox.stop().then(
			() => {
				log('stopped; nothing left running');
				process.exit(0);
			},
			(error: Error) => {
				log(`stop failed: ${error.message}`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));

	log(`starting (clock: ${clock}) — the first start of n8n takes a minute`);
	sandbox = await startSandbox({
		clock,
		n8nPort: await port('N8N_PORT', 5678),
		fakePort: await port('FAKE_API_PORT', 4010),
		pagePort: await port('SANDBOX_PORT', 5680),
		log,
	});
	if (stopping) return;
	const broken = sandbox.workflows.filter((w) => w.state !== 'active' && w.state !== 'inactive');
	process.stdout.write(
		[
			'',
			'  Resort WhatsApp sandbox is running.',
			'',
			`  Open the sandbox:  ${sandbox.pageUrl}`,
			`  n8n editor:        ${sandbox.n8nUrl}`,
			`  n8n login:         ${sandbox.login.email} / ${sandbox.login.password}`,
			`  executions:        ${sandbox.n8nUrl}/home/executions`,
			`  fake Cloud API:    ${sandbox.fakeUrl}  (request log: ${sandbox.fakeUrl}/_fake/requests)`,
			`  privacy requests:  POST ${sandbox.privacy.url} with header ${sandbox.privacy.header}: ${sandbox.privacy.token}`,
			`  analytics:         ${sandbox.dashboard.url}  (login ${sandbox.dashboard.user} / ${sandbox.dashboard.password})`,
			`  guest phone:       ${sandbox.guestPhone}`,
			`  clock:             ${
				sandbox.clock === 'fast'
					? `fast — 1 minute/hour/day of the journey = 1 second (${sandbox.timings.length} timing values changed; DEMO_CLOCK=real for shipped timings)`
					: 'real — the shipped timings'
			}`,
			...sandbox.workflows.map(
				(w) => `  workflow:          ${w.name} (${w.file}): ${w.state}${w.url ? `  ${w.url}` : ''}`,
			),
			...(broken.length ? ['', `  ${broken.length} workflow(s) did not start, see above.`] : []),
			'',
			'  Ctrl-C stops everything.',
			'',
		].join('\n'),
	);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
