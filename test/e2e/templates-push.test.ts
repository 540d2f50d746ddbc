/**
 * scripts/templates-push.ts against its own in-process fake Cloud API (no n8n, no globalSetup
 * state): exact requests, statuses, a second push that changes nothing, Meta's refusal of an edit
 * and an injected failure turning the exit status non-zero.
 */
import { startFakeCloudApi, type FakeCloudApi } from '../../scripts/fake-cloud-api/server';
import { formatResults, main, pushTemplates, type PushOptions } from '../../scripts/templates-push';
import { clone, loadTemplates, toMetaTemplate, type TemplateDefinition } from '../../lib/templates';

jest.setTimeout(60_000);

const WABA = '710000000000001';
const TOKEN = 'EAAtemplates-push-token';
const LANGS = ['en', 'es', 'pt_BR'];
const JOURNEYS = [
	'welcome_qualifier',
	'product_suggestions',
	'booking_reminder_1',
	'booking_reminder_2',
	'reservation_confirmation',
	'post_purchase_review',
	'upsell_offer',
];

let fake: FakeCloudApi;
let options: PushOptions;

beforeAll(async () => {
	fake = await startFakeCloudApi({ port: 0 });
	fake.registerPhoneNumber({
		phoneNumberId: '720000000000001',
		wabaId: WABA,
		accessToken: TOKEN,
		appSecret: 'push-secret',
	});
	options = { baseUrl: fake.url, version: 'v23.0', wabaId: WABA, token: TOKEN };
});

afterAll(async () => {
	await fake.close();
});

beforeEach(() => {
	fake.reset({ keepPhoneNumbers: true });
	fake.setConfig({ templateReviewOutcome: 'APPROVED' });
});

const listRequest = (name: string) => ({
	method: 'GET',
	path: `/v23.0/${WABA}/message_templates`,
	query: { name, fields: 'id,name,language,status,category,components', limit: '100' },
});

describe('templates:push against the fake Cloud API', () => {
	it('creates every name+language pair with the exact create-template bodies, then reports unchanged', async () => {
		const first = await pushTemplates({ ...options, only: JOURNEYS });
		expect(first.ok).toBe(true);
		expect(first.results).toHaveLength(21);
		expect(first.results.every((r) => r.action === 'created' && r.status === 'APPROVED')).toBe(
			true,
		);

		const requests = fake.requests({ wabaId: WABA });
		// Per template: one list, then one create per language, in order.
		const expected = JOURNEYS.flatMap((name) => {
			const def = loadTemplates().find((d) => d.name === name) as TemplateDefinition;
			return [
				listRequest(name),
				...LANGS.map((language) => ({
					method: 'POST',
					path: `/v23.0/${WABA}/message_templates`,
					body: toMetaTemplate(def, language),
				})),
			];
		});
		expect(
			requests.map((r) =>
				r.method === 'GET'
					? { method: r.method, path: r.path, query: r.query }
					: { method: r.method, path: r.path, body: r.body },
			),
		).toEqual(expected);
		expect(
			requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.status === 200),
		).toBe(true);
		// The body sent is Meta's shape, 1:1 with the definition file.
		expect(requests[1].body).toEqual({
			name: 'welcome_qualifier',
			language: 'en',
			category: 'MARKETING',
			components: loadTemplates()[0].languages.en.components,
		});
		expect(
			fake
				.templates(WABA)
				.map((t) => `${t.name}/${t.language}/${t.category}`)
				.sort(),
		).toEqual(
			JOURNEYS.flatMap((n) =>
				LANGS.map((l) => `${n}/${l}/${loadTemplates().find((d) => d.name === n)?.category}`),
			).sort(),
		);

		fake.clearRequests();
		const second = await pushTemplates({ ...options, only: JOURNEYS });
		expect(second.ok).toBe(true);
		expect(second.results.map((r) => [r.name, r.language, r.action, r.status])).toEqual(
			JOURNEYS.flatMap((n) => LANGS.map((l) => [n, l, 'unchanged', 'APPROVED'])),
		);
		// Only the seven list calls: nothing created or edited.
		expect(fake.requests({ wabaId: WABA }).map((r) => `${r.method} ${r.query.name}`)).toEqual(
			JOURNEYS.map((n) => `GET ${n}`),
		);
	});

	it('reports PENDING and REJECTED review outcomes as Meta returns them', async () => {
		fake.setConfig({ templateReviewOutcome: 'PENDING' });
		const pending = await pushTemplates({ ...options, only: ['reservation_confirmation'] });
		expect(pending.results.map((r) => [r.language, r.category, r.status, r.action])).toEqual([
			['en', 'UTILITY', 'PENDING', 'created'],
			['es', 'UTILITY', 'PENDING', 'created'],
			['pt_BR', 'UTILITY', 'PENDING', 'created'],
		]);
		fake.setConfig({ templateReviewOutcome: 'REJECTED' });
		const rejected = await pushTemplates({ ...options, only: ['upsell_offer'] });
		expect(rejected.results.map((r) => r.status)).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
		expect(rejected.ok).toBe(true);
		// A pending template can't be edited: a changed one is reported, not sent.
		const defs = loadTemplates().map((d) => clone(d));
		const rc = defs.find((d) => d.name === 'reservation_confirmation') as TemplateDefinition;
		rc.languages.en.components[0].text = 'Booking confirmed';
		fake.clearRequests();
		const blocked = await pushTemplates({
			...options,
			templates: defs,
			only: ['reservation_confirmation'],
		});
		expect(blocked.ok).toBe(false);
		expect(blocked.results[0]).toMatchObject({
			language: 'en',
			action: 'failed',
			status: 'PENDING',
		});
		expect(blocked.results[0].message).toMatch(/only APPROVED, REJECTED or PAUSED/);
		expect(blocked.results.slice(1).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
		expect(fake.requests().filter((r) => r.method === 'POST')).toEqual([]);
	});

	it('dry run lists and compares but sends nothing', async () => {
		const report = await pushTemplates({
			...options,
			dryRun: true,
			only: ['welcome_qualifier', 'hello_guest'],
		});
		expect(report.results.map((r) => [r.name, r.language, r.action])).toEqual([
			['welcome_qualifier', 'en', 'would create'],
			['welcome_qualifier', 'es', 'would create'],
			['welcome_qualifier', 'pt_BR', 'would create'],
			['hello_guest', 'en', 'would create'],
		]);
		expect(fake.requests().map((r) => r.method)).toEqual(['GET', 'GET']);
		expect(fake.templates(WABA)).toEqual([]);
	});

	it('edits a changed approved template with POST /{template-id} and reports what Meta answers', async () => {
		await pushTemplates({ ...options, only: ['booking_reminder_1'] });
		const enId = fake.templates(WABA).find((t) => t.language === 'en')?.id as string;
		const defs = loadTemplates().map((d) => clone(d));
		const def = defs.find((d) => d.name === 'booking_reminder_1') as TemplateDefinition;
		def.languages.en.components[0].text = def.languages.en.components[0].text?.replace(
			'in a minute',
			'in two taps',
		);
		fake.clearRequests();
		const report = await pushTemplates({
			...options,
			templates: defs,
			only: ['booking_reminder_1'],
		});
		const edit = fake.requests().filter((r) => r.method === 'POST');
		expect(edit.map((r) => ({ path: r.path, body: r.body }))).toEqual([
			{ path: `/v23.0/${enId}`, body: { components: def.languages.en.components } },
		]);
		// The fake Cloud API has no template-edit route (Graph answers "Unsupported post request"):
		// the push reports Meta's error, keeps the other languages unchanged and fails overall.
		expect(report.results.map((r) => [r.language, r.action])).toEqual([
			['en', 'failed'],
			['es', 'unchanged'],
			['pt_BR', 'unchanged'],
		]);
		expect(report.results[0].message).toMatch(/^\(#100\/33\) Unsupported post request/);
		expect(report.ok).toBe(false);
	});

	it('a Meta error on create (fault injected) is reported with its message and exits non-zero', async () => {
		fake.addFault({
			path: 'message_templates',
			method: 'POST',
			error: {
				code: 100,
				message: 'Invalid parameter',
				details: 'Template body contains too many variables for its length',
			},
		});
		const out: string[] = [];
		const code = await main(
			[
				'--base-url',
				fake.url,
				'--version',
				'v23.0',
				'--waba',
				WABA,
				'--only',
				'post_purchase_review',
			],
			{ WHATSAPP_ACCESS_TOKEN: TOKEN },
			(line) => out.push(line),
			(line) => out.push(line),
		);
		expect(code).toBe(1);
		const text = out.join('\n');
		expect(text).toMatch(
			/post_purchase_review\s+en\s+UTILITY\s+-\s+failed\s+\(#100\) Template body contains too many variables for its length/,
		);
		expect(text).toMatch(/post_purchase_review\s+es\s+UTILITY\s+APPROVED\s+created/);
		expect(text).toMatch(/3 template versions, 1 failed/);
		expect(
			fake
				.templates(WABA)
				.map((t) => t.language)
				.sort(),
		).toEqual(['es', 'pt_BR']);

		// The next run creates the missing language only and succeeds.
		const retry = await pushTemplates({ ...options, only: ['post_purchase_review'] });
		expect(retry.results.map((r) => r.action)).toEqual(['created', 'unchanged', 'unchanged']);
		expect(retry.ok).toBe(true);
		expect(formatResults(retry.results).split('\n')[0]).toMatch(
			/^NAME\s+LANGUAGE\s+CATEGORY\s+STATUS\s+ACTION\s+MESSAGE$/,
		);
	});

	it('a failing list call fails that template without sending anything for it', async () => {
		fake.addFault({
			path: 'message_templates',
			method: 'GET',
			error: { code: 190, message: 'Invalid OAuth access token' },
		});
		const report = await pushTemplates({ ...options, only: ['upsell_offer', 'hello_guest'] });
		expect(report.results.map((r) => [r.name, r.language, r.action])).toEqual([
			['upsell_offer', 'en', 'failed'],
			['upsell_offer', 'es', 'failed'],
			['upsell_offer', 'pt_BR', 'failed'],
			['hello_guest', 'en', 'created'],
		]);
		expect(report.results[0].message).toMatch(/^Listing templates failed: \(#190\)/);
		expect(report.ok).toBe(false);
	});

	it('an invalid definition or an unknown name fails before reaching Meta; bad arguments exit 2', async () => {
		const defs = loadTemplates().map((d) => clone(d));
		(defs[0].languages.en.components[1] as { text: string }).text = 'x'.repeat(1025);
		const report = await pushTemplates({
			...options,
			templates: defs,
			only: ['welcome_qualifier', 'nope'],
		});
		expect(report.results.map((r) => [r.name, r.language, r.action])).toEqual([
			['welcome_qualifier', 'en', 'failed'],
			['welcome_qualifier', 'es', 'failed'],
			['welcome_qualifier', 'pt_BR', 'failed'],
			['nope', '-', 'failed'],
		]);
		expect(report.results[0].message).toMatch(/en BODY: text is 1025 characters, Meta allows 1024/);
		expect(fake.requests()).toEqual([]);
		const errors: string[] = [];
		expect(
			await main(
				['--token', TOKEN],
				{},
				() => undefined,
				(l) => errors.push(l),
			),
		).toBe(2);
		expect(errors.join('\n')).toMatch(/WABA id is required/);
	});

	it('pages through the template list', async () => {
		fake.seedTemplates(
			WABA,
			Array.from({ length: 5 }, (_, i) => ({
				name: `upsell_offer_old_${i}`,
				language: 'en',
				category: 'MARKETING' as const,
				components: [{ type: 'BODY', text: 'Old' }],
			})),
		);
		await pushTemplates({ ...options, only: ['upsell_offer'] });
		fake.clearRequests();
		const report = await pushTemplates({ ...options, only: ['upsell_offer'], pageSize: 2 });
		expect(report.results.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
		const gets = fake.requests().filter((r) => r.method === 'GET');
		expect(gets.map((r) => r.query.after ?? null)).toEqual([
			null,
			expect.any(String),
			expect.any(String),
			expect.any(String),
		]);
		expect(fake.requests().filter((r) => r.method === 'POST')).toEqual([]);
	});
});
