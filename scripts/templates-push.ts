/**
 * Pushes the message templates in templates/message-templates/ to a WhatsApp Business Account:
 * lists what the WABA has, creates missing name+language pairs, edits changed ones where Meta
 * allows it, and prints a status table. Runs outside n8n.
 *
 *   tsx scripts/templates-push.ts --base-url https://graph.facebook.com --version v23.0 \
 *     --waba <WABA_ID> --token <ACCESS_TOKEN> [--dry-run] [--only welcome_qualifier,upsell_offer]
 *     [--tracked-link-base https://n8n.example.com/webhook/<id>/go?l=]   (click tracking, docs/analytics.md)
 *
 * Env fallbacks: WHATSAPP_BASE_URL, WHATSAPP_API_VERSION, WHATSAPP_WABA_ID, WHATSAPP_ACCESS_TOKEN.
 * Exit status: 0 all pushed or unchanged, 1 any template failed, 2 bad arguments.
 */
import axios from 'axios';

import {
	DEFAULT_BRANDING,
	loadTemplates,
	withTrackedLinks,
	sameTemplateContent,
	toMetaTemplate,
	validateTemplateDefinition,
	type TemplateCategory,
	type TemplateComponent,
	type TemplateDefinition,
} from '../lib/templates';

export interface PushOptions {
	/** Graph API origin, e.g. https://graph.facebook.com (or the fake Cloud API's URL). */
	baseUrl: string;
	/** Graph API version, e.g. v23.0. */
	version: string;
	wabaId: string;
	token: string;
	/** List and compare only; nothing is created or edited. */
	dryRun?: boolean;
	/** Template names to push; default all. */
	only?: string[];
	/** Definitions to push; default `loadTemplates()`. */
	templates?: TemplateDefinition[];
	/** Page size for listing existing templates. Default 100. */
	pageSize?: number;
	/**
	 * The Resort Tracked Link Trigger's URL up to the token; booking-site URL buttons are registered
	 * there so clicks are recorded (lib/templates withTrackedLinks). Default: branding.json's
	 * trackedLinkBaseUrl; empty: buttons open the booking site directly.
	 */
	trackedLinkBaseUrl?: string;
}

export type PushAction =
	| 'created'
	| 'updated'
	| 'unchanged'
	| 'failed'
	| 'would create'
	| 'would update';

export interface PushResult {
	name: string;
	language: string;
	category: string;
	/** Meta's status after the push (APPROVED, PENDING, REJECTED, PAUSED, …), '-' when unknown. */
	status: string;
	action: PushAction;
	/** Meta's error message for failures; notes otherwise. */
	message?: string;
	id?: string;
}

export interface PushReport {
	ok: boolean;
	results: PushResult[];
}

export interface HttpRequest {
	method: 'GET' | 'POST';
	url: string;
	params?: Record<string, string | number>;
	data?: unknown;
	headers: Record<string, string>;
}

export interface HttpResponse {
	status: number;
	data: unknown;
}

/** Any HTTP client; it must resolve (not throw) for HTTP error statuses. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

export const axiosHttp: HttpClient = async (request) => {
	const response = await axios.request({
		method: request.method,
		url: request.url,
		params: request.params,
		data: request.data,
		headers: request.headers,
		timeout: 30_000,
		validateStatus: () => true,
	});
	return { status: response.status, data: response.data };
};

interface ExistingTemplate {
	id: string;
	name: string;
	language: string;
	status: string;
	category: string;
	components: TemplateComponent[];
}

/** Meta allows edits only in these states (approved: 1 edit per 24 h, 10 per 30 days). */
const EDITABLE = ['APPROVED', 'REJECTED', 'PAUSED'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `(#100/2388023) details` from a Graph error body. */
export function graphErrorMessage(response: HttpResponse): string {
	const error =
		isObj(response.data) && isObj(response.data.error) ? response.data.error : undefined;
	if (!error) return `HTTP ${response.status}: ${JSON.stringify(response.data)?.slice(0, 300)}`;
	const data = isObj(error.error_data) ? error.error_data : {};
	const text = [error.error_user_msg, data.details, error.message].find(
		(t): t is string => typeof t === 'string' && t.trim() !== '',
	);
	const code = `#${String(error.code ?? response.status)}${error.error_subcode !== undefined ? `/${String(error.error_subcode)}` : ''}`;
	const plain = String(text ?? 'Unknown error').replace(/^\(#\d+\)\s*/, '');
	return `(${code}) ${plain}`;
}

export async function pushTemplates(
	options: PushOptions,
	http: HttpClient = axiosHttp,
): Promise<PushReport> {
	const base = `${options.baseUrl.replace(/\/+$/, '')}/${options.version.replace(/^\/+|\/+$/g, '')}`;
	const headers = { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' };
	const tracked = options.trackedLinkBaseUrl ?? DEFAULT_BRANDING.trackedLinkBaseUrl ?? '';
	const all = (options.templates ?? loadTemplates()).map((def) =>
		tracked ? withTrackedLinks(def, tracked, DEFAULT_BRANDING.bookingBaseUrl) : def,
	);
	const results: PushResult[] = [];

	const wanted = options.only?.length ? options.only : all.map((d) => d.name);
	for (const name of wanted) {
		const def = all.find((d) => d.name === name);
		if (!def) {
			results.push({
				name,
				language: '-',
				category: '-',
				status: '-',
				action: 'failed',
				message: `No template "${name}" in templates/message-templates/`,
			});
			continue;
		}
		const languages = Object.keys(def.languages ?? {});
		const row = (
			language: string,
			r: Partial<PushResult> & Pick<PushResult, 'action'>,
		): PushResult => ({
			name,
			language,
			category: def.category,
			status: '-',
			...r,
		});

		const validation = validateTemplateDefinition(def);
		if (!validation.valid) {
			for (const language of languages.length ? languages : ['-']) {
				results.push(
					row(language, {
						action: 'failed',
						message: `Invalid definition, not sent: ${validation.errors.join('; ')}`,
					}),
				);
			}
			continue;
		}

		let existing: ExistingTemplate[];
		try {
			existing = await listTemplates(http, base, options, headers, name);
		} catch (e) {
			for (const language of languages)
				results.push(
					row(language, {
						action: 'failed',
						message: `Listing templates failed: ${(e as Error).message}`,
					}),
				);
			continue;
		}

		for (const language of languages) {
			const desired = toMetaTemplate(def, language);
			const current = existing.find((t) => t.language === language);
			try {
				results.push(
					await pushOne(http, base, options, headers, desired, current, row.bind(null, language)),
				);
			} catch (e) {
				results.push(
					row(language, {
						action: 'failed',
						status: current?.status ?? '-',
						id: current?.id,
						message: (e as Error).message,
					}),
				);
			}
		}
	}
	return { ok: results.every((r) => r.action !== 'failed'), results };
}

async function listTemplates(
	http: HttpClient,
	base: string,
	options: PushOptions,
	headers: Record<string, string>,
	name: string,
): Promise<ExistingTemplate[]> {
	const found: ExistingTemplate[] = [];
	let after: string | undefined;
	for (let page = 0; page < 100; page++) {
		const params: Record<string, string | number> = {
			name,
			fields: 'id,name,language,status,category,components',
			limit: options.pageSize ?? 100,
		};
		if (after) params.after = after;
		const response = await http({
			method: 'GET',
			url: `${base}/${options.wabaId}/message_templates`,
			params,
			headers,
		});
		if (response.status < 200 || response.status >= 300)
			throw new Error(graphErrorMessage(response));
		const body = isObj(response.data) ? response.data : {};
		// `name` is a "contains" filter at Meta: keep exact matches only.
		for (const t of Array.isArray(body.data) ? body.data : []) {
			if (isObj(t) && t.name === name) found.push(t as unknown as ExistingTemplate);
		}
		const paging = isObj(body.paging) ? body.paging : {};
		const cursors = isObj(paging.cursors) ? paging.cursors : {};
		if (!paging.next || typeof cursors.after !== 'string') break;
		after = cursors.after;
	}
	return found;
}

async function pushOne(
	http: HttpClient,
	base: string,
	options: PushOptions,
	headers: Record<string, string>,
	desired: {
		name: string;
		language: string;
		category: TemplateCategory;
		components: TemplateComponent[];
	},
	current: ExistingTemplate | undefined,
	row: (r: Partial<PushResult> & Pick<PushResult, 'action'>) => PushResult,
): Promise<PushResult> {
	if (!current) {
		if (options.dryRun) return row({ action: 'would create' });
		const response = await http({
			method: 'POST',
			url: `${base}/${options.wabaId}/message_templates`,
			data: desired,
			headers,
		});
		if (response.status < 200 || response.status >= 300)
			return row({ action: 'failed', message: graphErrorMessage(response) });
		const body = isObj(response.data) ? response.data : {};
		return row({
			action: 'created',
			status: typeof body.status === 'string' ? body.status : 'PENDING',
			category: typeof body.category === 'string' ? body.category : desired.category,
			id: typeof body.id === 'string' ? body.id : undefined,
		});
	}

	const snapshot = { status: current.status, id: current.id, category: current.category };
	const contentChanged = !sameTemplateContent(desired.components, current.components);
	const categoryChanged = current.category !== desired.category;
	if (!contentChanged && !categoryChanged) return row({ action: 'unchanged', ...snapshot });
	if (!contentChanged && current.status === 'APPROVED') {
		// Meta re-categorises templates whose content doesn't match the category; an approved
		// template's category can't be edited back, so only report it.
		return row({
			action: 'unchanged',
			...snapshot,
			message: `Meta has it as ${current.category}, the definition says ${desired.category}; an approved template's category can't be edited (change the definition, or create a new template name)`,
		});
	}
	if (!EDITABLE.includes(current.status)) {
		return row({
			action: 'failed',
			...snapshot,
			message: `Changed, but Meta allows editing only APPROVED, REJECTED or PAUSED templates; this one is ${current.status}. Push again once Meta has reviewed it.`,
		});
	}
	const edit: Record<string, unknown> = { components: desired.components };
	const notes: string[] = [];
	if (categoryChanged) {
		if (current.status === 'APPROVED')
			notes.push(
				`category stays ${current.category}: an approved template's category can't be edited`,
			);
		else edit.category = desired.category;
	}
	if (options.dryRun)
		return row({ action: 'would update', ...snapshot, message: notes.join('; ') || undefined });
	const response = await http({
		method: 'POST',
		url: `${base}/${current.id}`,
		data: edit,
		headers,
	});
	if (response.status < 200 || response.status >= 300) {
		return row({ action: 'failed', ...snapshot, message: graphErrorMessage(response) });
	}
	const body = isObj(response.data) ? response.data : {};
	return row({
		action: 'updated',
		id: current.id,
		// Every edit goes back to Meta's review.
		status: typeof body.status === 'string' ? body.status : 'PENDING',
		category:
			typeof body.category === 'string' ? body.category : String(edit.category ?? current.category),
		message: notes.join('; ') || undefined,
	});
}

/** The results as a plain-text table. */
export function formatResults(results: PushResult[]): string {
	const head = ['NAME', 'LANGUAGE', 'CATEGORY', 'STATUS', 'ACTION', 'MESSAGE'];
	const rows = results.map((r) => [
		r.name,
		r.language,
		r.category,
		r.status,
		r.action,
		r.message ?? '',
	]);
	const widths = head.map((h, i) =>
		Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i].length))),
	);
	const line = (cells: string[]) =>
		cells
			.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
			.join('  ')
			.trimEnd();
	return [line(head), ...rows.map(line)].join('\n');
}

export interface CliArgs {
	options?: PushOptions;
	help?: boolean;
	error?: string;
}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliArgs {
	const flags: Record<string, string | true> = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) return { error: `Unexpected argument "${arg}"` };
		const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
		if (key === 'dry-run' || key === 'help') flags[key] = true;
		else if (inline !== undefined) flags[key] = inline;
		else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[key] = argv[++i];
		else return { error: `--${key} needs a value` };
	}
	if (flags.help) return { help: true };
	const known = ['base-url', 'version', 'waba', 'token', 'dry-run', 'only', 'tracked-link-base'];
	const unknown = Object.keys(flags).filter((k) => !known.includes(k));
	if (unknown.length) return { error: `Unknown option --${unknown[0]}` };
	const str = (v: string | true | undefined) => (typeof v === 'string' ? v : undefined);
	const options: PushOptions = {
		baseUrl: str(flags['base-url']) ?? env.WHATSAPP_BASE_URL ?? 'https://graph.facebook.com',
		version: str(flags.version) ?? env.WHATSAPP_API_VERSION ?? 'v23.0',
		wabaId: str(flags.waba) ?? env.WHATSAPP_WABA_ID ?? '',
		token: str(flags.token) ?? env.WHATSAPP_ACCESS_TOKEN ?? '',
		dryRun: flags['dry-run'] === true,
		trackedLinkBaseUrl: str(flags['tracked-link-base']) ?? env.RESORT_TRACKED_LINK_BASE,
		only: str(flags.only)
			?.split(',')
			.map((s) => s.trim())
			.filter(Boolean),
	};
	if (!options.wabaId) return { error: 'The WABA id is required: --waba or WHATSAPP_WABA_ID' };
	if (!options.token)
		return { error: 'An access token is required: --token or WHATSAPP_ACCESS_TOKEN' };
	if (options.trackedLinkBaseUrl && !/^https?:\/\/[^\s]+$/.test(options.trackedLinkBaseUrl))
		return { error: `--tracked-link-base must be an http(s) URL, got "${options.trackedLinkBaseUrl}"` };
	if (!/^v\d+\.\d+$/.test(options.version))
		return { error: `--version must look like v23.0, got "${options.version}"` };
	return { options };
}

const USAGE = `Usage: tsx scripts/templates-push.ts --waba <id> --token <token> [--base-url https://graph.facebook.com] [--version v23.0] [--dry-run] [--only name1,name2] [--tracked-link-base https://n8n.example.com/webhook/<id>/go?l=]
Env: WHATSAPP_BASE_URL, WHATSAPP_API_VERSION, WHATSAPP_WABA_ID, WHATSAPP_ACCESS_TOKEN, RESORT_TRACKED_LINK_BASE`;

/** Runs the CLI; resolves to the exit status. */
export async function main(
	argv: string[],
	env: Record<string, string | undefined>,
	out = console.log,
	err = console.error,
): Promise<number> {
	const args = parseCliArgs(argv, env);
	if (args.help) {
		out(USAGE);
		return 0;
	}
	if (!args.options) {
		err(`${args.error}\n${USAGE}`);
		return 2;
	}
	const report = await pushTemplates(args.options);
	out(formatResults(report.results));
	const failed = report.results.filter((r) => r.action === 'failed').length;
	out(
		`\n${report.results.length} template versions, ${failed} failed${args.options.dryRun ? ' (dry run: nothing was sent)' : ''}`,
	);
	return failed ? 1 : 0;
}

if (require.main === module) {
	main(process.argv.slice(2), process.env).then(
		(code) => {
			process.exitCode = code;
		},
		(e) => {
			console.error(e);
			process.exitCode = 1;
		},
	);
}
