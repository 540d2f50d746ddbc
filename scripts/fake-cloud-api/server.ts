/**
 * A faithful, in-memory fake of Meta's WhatsApp Cloud API (Graph API) on 127.0.0.1.
 *
 * Graph surface (any `/vNN.N` prefix, or none):
 *   POST   /{phone-number-id}/messages            send / mark-as-read
 *   GET    /{phone-number-id}                     phone number info (credential test)
 *   POST   /{phone-number-id}                     webhook_configuration.override_callback_uri (phone-level override)
 *   GET    /{waba-id}                             WABA info
 *   GET    /{waba-id}/phone_numbers               phone numbers of the WABA
 *   GET|POST|DELETE /{waba-id}/message_templates
 *   GET|POST|DELETE /{waba-id}/subscribed_apps
 * Control API under /_fake (see README-like list in `handleControl`).
 *
 * Webhook URL resolution follows Meta's override order: phone-number override (POST /{phone}
 * webhook_configuration) > WABA override (subscribed_apps override_callback_uri) > the phone
 * number's `webhookUrl` (plays the role of the app's default callback URL).
 *
 * Only node built-ins are used.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

import { ERROR_TABLE, graphError, newTraceId, webhookError } from './errors';
import { normalizeTo, placeholders, validateSend } from './validate';

// ---------------------------------------------------------------- public types

export type AutoStatus = 'sent' | 'delivered' | 'read';

export interface FakePhoneNumber {
	phoneNumberId: string;
	wabaId: string;
	accessToken: string;
	appSecret: string;
	webhookUrl?: string;
	displayPhoneNumber?: string;
	verifiedName?: string;
	/** Messages per second for this number (sliding 1 s window). Default 80. */
	throughputPerSecond?: number;
	/** Statuses emitted automatically after an accepted send. Default ['sent','delivered']. */
	autoStatuses?: AutoStatus[];
	qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
}

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface FakeTemplate {
	id: string;
	name: string;
	/** e.g. 'en_US' */
	language: string;
	category: TemplateCategory;
	status: TemplateStatus;
	components: Array<Record<string, unknown>>;
	parameter_format?: 'POSITIONAL' | 'NAMED';
	rejected_reason?: string;
}

export interface TemplateSeed {
	name: string;
	language: string | { code: string };
	category?: TemplateCategory;
	status?: TemplateStatus;
	components?: Array<Record<string, unknown>>;
	id?: string;
	parameter_format?: 'POSITIONAL' | 'NAMED';
}

export interface RequestRecord {
	seq: number;
	at: string;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	body: unknown;
	/** Object id from the path (phone-number id or WABA id), if any. */
	objectId?: string;
	/** 'messages' | 'message_templates' | 'subscribed_apps' | 'phone_number' | 'waba' | 'phone_numbers' | other edge */
	kind: string;
	status: number;
	response: unknown;
	/** Set when a fault was applied to this request. */
	fault?: string;
}

export interface RequestFilter {
	phoneNumberId?: string;
	wabaId?: string;
	path?: string;
	method?: string;
	/** number: seq greater than; string: ISO time at-or-after. */
	since?: number | string;
}

export type WebhookKind = 'inbound' | 'status' | 'verification';

export interface WebhookDelivery {
	seq: number;
	at: string;
	kind: WebhookKind;
	url: string;
	method: 'GET' | 'POST';
	phoneNumberId?: string;
	wabaId?: string;
	wamid?: string;
	/** Raw body as sent (exact bytes, utf8). */
	body: string;
	/** Parsed body (or null for raw/malformed bodies). */
	payload: unknown;
	signature?: string;
	requestHeaders: Record<string, string>;
	/** 0 when the request failed at network level. */
	responseStatus: number;
	responseBody: string;
	durationMs: number;
	error?: string;
}

export interface StatusRecord {
	status: 'sent' | 'delivered' | 'read' | 'failed';
	timestamp: string;
	errors?: unknown[];
	delivered: boolean;
	/** How many times it was delivered again after a non-2xx answer. */
	redeliveries?: number;
}

export interface OutboundMessage {
	wamid: string;
	phoneNumberId: string;
	wabaId: string;
	to: string;
	waId: string;
	type: string;
	payload: Record<string, unknown>;
	at: string;
	/** Pricing category: 'service' for free-form, template category (lower case) otherwise. */
	category: string;
	conversationId: string;
	statuses: StatusRecord[];
}

export interface FaultError {
	code: number;
	httpStatus?: number;
	message?: string;
	subcode?: number;
	type?: string;
	details?: string;
}

export interface FaultSpec {
	phoneNumberId?: string;
	/** Matches the request kind ('messages', 'message_templates', 'subscribed_apps', 'phone_number', 'waba', ...). */
	path?: string;
	method?: string;
	/** Consumed after this many matching requests. Default 1. Ignored when `probability` is set. */
	count?: number;
	error?: FaultError;
	/** Adds a Retry-After header to the error response. */
	retryAfterSeconds?: number;
	/** Delay before responding (with the error, or with the normal response if no error). */
	latencyMs?: number;
	/** Destroy the socket without any response. */
	drop?: boolean;
	/** 0..1: the fault is never consumed and fires randomly with this probability. */
	probability?: number;
	/** Accept the send normally but emit a `failed` status webhook with this error instead of the auto statuses. */
	statusFailure?: { code: number; title?: string; message?: string; details?: string };
}

export interface InboundOptions {
	phoneNumberId: string;
	from: string;
	name?: string;
	text?: string;
	buttonReply?: { id: string; title: string };
	listReply?: { id: string; title: string; description?: string };
	/** Template quick-reply button (message type 'button'). */
	quickReplyButton?: { payload: string; text: string };
	/** Click-to-WhatsApp ad referral object, attached to the message. */
	referral?: Record<string, unknown>;
	/** Context (the message replied to). Auto-filled for button/list/quick replies with the last outbound message to this user. */
	context?: { id: string; from?: string };
	id?: string;
	/** Unix seconds. */
	timestamp?: number;
	signature?: 'missing' | 'wrong';
	/** Arbitrary bytes to POST instead of the JSON payload (signed unless `signature` says otherwise). */
	rawBody?: string;
}

export interface InboundResult {
	wamid: string;
	delivered: { status: number; body: unknown };
	payload: unknown;
	delivery: WebhookDelivery | null;
}

export interface StatusOptions {
	wamid: string;
	status: 'sent' | 'delivered' | 'read' | 'failed';
	errors?: Array<{ code: number; title?: string; message?: string; details?: string; error_data?: { details: string } }>;
	timestamp?: number;
}

export interface FakeConfig {
	/** Outcome of POST message_templates. Default APPROVED. */
	templateReviewOutcome?: 'APPROVED' | 'PENDING' | 'REJECTED';
	/** If set with outcome PENDING, templates become APPROVED after this delay. */
	templateReviewDelayMs?: number;
	statusDelayMs?: number;
	/** Length of the customer-service window. Default 24 h. */
	serviceWindowMs?: number;
	/**
	 * Waits between redeliveries of an automatic status webhook the receiver did not answer 2xx
	 * (refused connection, timeout, 5xx): Meta retries such webhooks for days; this compresses it.
	 * Default 1, 2, 4, 8, 16, 30, 60, 120 s; [] turns redelivery off.
	 */
	statusRedeliveryDelaysMs?: number[];
}

export interface SubscriptionInfo {
	wabaId: string;
	overrideCallbackUri?: string;
	verifyToken?: string;
	subscribedAt: string;
}

export interface FakeCloudApi {
	url: string;
	port: number;
	close(): Promise<void>;
	registerPhoneNumber(p: FakePhoneNumber): FakePhoneNumber;
	phoneNumbers(): FakePhoneNumber[];
	seedTemplates(wabaId: string, templates: TemplateSeed[]): FakeTemplate[];
	templates(wabaId?: string): FakeTemplate[];
	setTemplateStatus(wabaId: string, name: string, language: string, status: TemplateStatus): FakeTemplate | undefined;
	inbound(opts: InboundOptions): Promise<InboundResult>;
	emitStatus(opts: StatusOptions): Promise<WebhookDelivery | null>;
	addFault(f: FaultSpec): void;
	faults(): FaultSpec[];
	clearFaults(): void;
	requests(filter?: RequestFilter): RequestRecord[];
	clearRequests(): void;
	webhooks(filter?: { kind?: WebhookKind; phoneNumberId?: string; wamid?: string; since?: number }): WebhookDelivery[];
	clearWebhooks(): void;
	messages(filter?: { phoneNumberId?: string; to?: string }): OutboundMessage[];
	subscriptions(): SubscriptionInfo[];
	/** Open (or refresh) the customer-service window as if `waId` had written at `at` (default now). */
	openWindow(phoneNumberId: string, waId: string, at?: Date): void;
	setClock(c: { offsetMs?: number; now?: string; advanceMs?: number }): { now: string; offsetMs: number };
	now(): Date;
	setConfig(c: FakeConfig): FakeConfig;
	/** Waits until `predicate` holds over the webhook deliveries (polls every 10 ms). */
	waitForWebhooks(predicate: (d: WebhookDelivery[]) => boolean, timeoutMs?: number): Promise<WebhookDelivery[]>;
	reset(opts?: { keepPhoneNumbers?: boolean }): void;
}

export interface StartOptions {
	port?: number;
	host?: string;
	statusDelayMs?: number;
	log?: (line: string) => void;
	phoneNumbers?: FakePhoneNumber[];
	templates?: Array<{ wabaId: string; templates: TemplateSeed[] }>;
	config?: FakeConfig;
}

// ---------------------------------------------------------------- helpers

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const FAKE_APP = { id: '100000000000001', name: 'Resort WhatsApp (fake)', link: 'https://www.facebook.com/games/?app_id=100000000000001' };
const CATEGORIES: TemplateCategory[] = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const TEMPLATE_STATUSES: TemplateStatus[] = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION'];

function numericId(len = 15): string {
	let s = String(1 + Math.floor(Math.random() * 9));
	while (s.length < len) s += String(Math.floor(Math.random() * 10));
	return s;
}

/** wamid shaped like Meta's: base64 of a small protobuf-ish blob containing the wa_id. */
export function newWamid(waId: string): string {
	const rand = crypto.randomBytes(9).toString('hex').toUpperCase();
	const buf = Buffer.concat([
		Buffer.from([0x1c, 0x18, waId.length]),
		Buffer.from(waId, 'utf8'),
		Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, rand.length]),
		Buffer.from(rand, 'utf8'),
		Buffer.from([0x00]),
	]);
	return `wamid.${buf.toString('base64')}`;
}

export function signBody(body: string | Buffer, appSecret: string): string {
	return `sha256=${crypto.createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

function langCode(l: unknown): string {
	if (typeof l === 'string') return l;
	if (isObj(l) && typeof l.code === 'string') return l.code;
	return '';
}

function parseMaybeJson(s: string): unknown {
	if (s === '') return null;
	try {
		return JSON.parse(s);
	} catch {
		return s;
	}
}

function digitsOnly(s: string): string {
	return s.replace(/\D/g, '');
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

interface HttpResult {
	status: number;
	body: string;
	durationMs: number;
	error?: string;
}

function httpCall(
	method: 'GET' | 'POST',
	url: string,
	body: string | undefined,
	headers: Record<string, string>,
	timeoutMs: number,
): Promise<HttpResult> {
	const started = Date.now();
	return new Promise((resolve) => {
		let u: URL;
		try {
			u = new URL(url);
		} catch {
			resolve({ status: 0, body: '', durationMs: 0, error: `Invalid URL: ${url}` });
			return;
		}
		const mod = u.protocol === 'https:' ? https : http;
		const h: Record<string, string | number> = { ...headers };
		if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
		const req = mod.request(u, { method, headers: h, agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), durationMs: Date.now() - started }),
			);
			res.on('error', (e) => resolve({ status: res.statusCode ?? 0, body: '', durationMs: Date.now() - started, error: e.message }));
		});
		req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
		req.on('error', (e) => resolve({ status: 0, body: '', durationMs: Date.now() - started, error: e.message }));
		if (body !== undefined) req.write(body);
		req.end();
	});
}

// ---------------------------------------------------------------- implementation

interface Resp {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

interface PhoneState extends FakePhoneNumber {
	overrideCallbackUri?: string;
}

interface QueuedFault extends FaultSpec {
	remaining: number;
}

export async function startFakeCloudApi(opts: StartOptions = {}): Promise<FakeCloudApi> {
	const host = opts.host ?? '127.0.0.1';
	const log = opts.log ?? (() => undefined);

	const config: Required<Omit<FakeConfig, 'templateReviewDelayMs'>> & { templateReviewDelayMs?: number } = {
		templateReviewOutcome: 'APPROVED',
		statusDelayMs: opts.statusDelayMs ?? 50,
		serviceWindowMs: 24 * 3600 * 1000,
		statusRedeliveryDelaysMs: [1000, 2000, 4000, 8000, 16_000, 30_000, 60_000, 120_000],
		...opts.config,
	};
	if (opts.statusDelayMs !== undefined) config.statusDelayMs = opts.statusDelayMs;

	const phones = new Map<string, PhoneState>();
	const templatesByWaba = new Map<string, FakeTemplate[]>();
	const subs = new Map<string, SubscriptionInfo>();
	const windows = new Map<string, number>(); // `${pn}:${waId}` -> ms of last inbound
	const sendTimes = new Map<string, number[]>(); // pn -> real ms of recent sends
	const faultQueue: QueuedFault[] = [];
	let requestLog: RequestRecord[] = [];
	let webhookLog: WebhookDelivery[] = [];
	const outbound = new Map<string, OutboundMessage>();
	const inboundIds = new Map<string, { phoneNumberId: string; from: string; read: boolean }>();
	const timers = new Set<NodeJS.Timeout>();
	let seq = 0;
	let whSeq = 0;
	let clockOffsetMs = 0;
	let closed = false;
	/** Bumped by reset(): work started before a reset (in-flight webhooks, queued statuses) is not recorded after it. */
	let epoch = 0;

	const now = (): number => Date.now() + clockOffsetMs;
	const nowSec = (): string => String(Math.floor(now() / 1000));
	const later = (ms: number, fn: () => void): void => {
		if (closed) return;
		const t = setTimeout(() => {
			timers.delete(t);
			if (!closed) fn();
		}, ms);
		timers.add(t);
	};

	// ---------------------------------------------------------- state operations

	function registerPhoneNumber(p: FakePhoneNumber): FakePhoneNumber {
		for (const k of ['phoneNumberId', 'wabaId', 'accessToken', 'appSecret'] as const) {
			if (typeof p[k] !== 'string' || p[k] === '') throw new Error(`registerPhoneNumber: ${k} is required`);
		}
		const prev = phones.get(p.phoneNumberId);
		const tail = digitsOnly(p.phoneNumberId).slice(-4).padStart(4, '0');
		const merged: PhoneState = {
			displayPhoneNumber: `+1 555-010-${tail}`,
			verifiedName: 'Fake Resort',
			throughputPerSecond: 80,
			autoStatuses: ['sent', 'delivered'],
			qualityRating: 'GREEN',
			...prev,
			...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
		} as PhoneState;
		phones.set(p.phoneNumberId, merged);
		log(`phone number ${p.phoneNumberId} (waba ${p.wabaId}) registered`);
		return publicPhone(merged);
	}

	function publicPhone(p: PhoneState): FakePhoneNumber {
		const { overrideCallbackUri: _o, ...rest } = p;
		void _o;
		return { ...rest };
	}

	function wabaExists(wabaId: string): boolean {
		for (const p of phones.values()) if (p.wabaId === wabaId) return true;
		return false;
	}

	function wabaTokens(wabaId: string): Set<string> {
		const s = new Set<string>();
		for (const p of phones.values()) if (p.wabaId === wabaId) s.add(p.accessToken);
		return s;
	}

	function webhookUrlFor(p: PhoneState): string | undefined {
		return p.overrideCallbackUri ?? subs.get(p.wabaId)?.overrideCallbackUri ?? p.webhookUrl;
	}

	function upsertTemplate(wabaId: string, seed: TemplateSeed): FakeTemplate {
		const list = templatesByWaba.get(wabaId) ?? [];
		templatesByWaba.set(wabaId, list);
		const language = langCode(seed.language);
		const existing = list.find((t) => t.name === seed.name && t.language === language);
		const t: FakeTemplate = {
			id: seed.id ?? existing?.id ?? numericId(16),
			name: seed.name,
			language,
			category: seed.category ?? existing?.category ?? 'UTILITY',
			status: seed.status ?? existing?.status ?? 'APPROVED',
			components: seed.components ?? existing?.components ?? [],
			parameter_format: seed.parameter_format ?? existing?.parameter_format ?? 'POSITIONAL',
		};
		if (existing) Object.assign(existing, t);
		else list.push(t);
		return existing ?? t;
	}

	function seedTemplates(wabaId: string, seeds: TemplateSeed[]): FakeTemplate[] {
		return seeds.map((s) => upsertTemplate(wabaId, s));
	}

	function allTemplates(wabaId?: string): FakeTemplate[] {
		if (wabaId) return [...(templatesByWaba.get(wabaId) ?? [])];
		return [...templatesByWaba.values()].flat();
	}

	function openWindow(phoneNumberId: string, waId: string, at?: Date): void {
		windows.set(`${phoneNumberId}:${digitsOnly(waId)}`, at ? at.getTime() : now());
	}

	function windowOpen(phoneNumberId: string, waId: string): boolean {
		const last = windows.get(`${phoneNumberId}:${waId}`);
		return last !== undefined && now() - last < config.serviceWindowMs && now() >= last - 60_000;
	}

	function takeThroughput(p: PhoneState): boolean {
		const t = Date.now();
		const list = (sendTimes.get(p.phoneNumberId) ?? []).filter((x) => t - x < 1000);
		sendTimes.set(p.phoneNumberId, list);
		if (list.length >= (p.throughputPerSecond ?? 80)) return false;
		list.push(t);
		return true;
	}

	// ---------------------------------------------------------- webhooks

	async function deliver(
		p: PhoneState,
		kind: WebhookKind,
		payload: unknown,
		extra: { wamid?: string; rawBody?: string; signature?: 'missing' | 'wrong' } = {},
	): Promise<WebhookDelivery | null> {
		const url = webhookUrlFor(p);
		const body = extra.rawBody ?? JSON.stringify(payload);
		if (!url) {
			log(`no webhook URL for ${p.phoneNumberId}; ${kind} webhook not delivered`);
			return null;
		}
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'facebookexternalua',
			Accept: '*/*',
		};
		let signature: string | undefined;
		if (extra.signature === 'wrong') signature = signBody(body, `${p.appSecret}-forged`);
		else if (extra.signature !== 'missing') signature = signBody(body, p.appSecret);
		if (signature) headers['X-Hub-Signature-256'] = signature;
		if (signature && extra.signature !== 'wrong') {
			headers['X-Hub-Signature'] = `sha1=${crypto.createHmac('sha1', p.appSecret).update(body).digest('hex')}`;
		}
		const at = new Date(now()).toISOString();
		const startedEpoch = epoch;
		const r = await httpCall('POST', url, body, headers, 10_000);
		const d: WebhookDelivery = {
			seq: ++whSeq,
			at,
			kind,
			url,
			method: 'POST',
			phoneNumberId: p.phoneNumberId,
			wabaId: p.wabaId,
			wamid: extra.wamid,
			body,
			payload: extra.rawBody !== undefined ? parseMaybeJsonOrNull(body) : payload,
			signature,
			requestHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
			responseStatus: r.status,
			responseBody: r.body,
			durationMs: r.durationMs,
		};
		if (r.error) d.error = r.error;
		if (startedEpoch !== epoch) return d;
		webhookLog.push(d);
		log(`webhook ${kind} -> ${url}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
		return d;
	}

	function parseMaybeJsonOrNull(s: string): unknown {
		try {
			return JSON.parse(s);
		} catch {
			return null;
		}
	}

	function envelope(p: PhoneState, value: Obj): Obj {
		return {
			object: 'whatsapp_business_account',
			entry: [
				{
					id: p.wabaId,
					changes: [
						{
							value: {
								messaging_product: 'whatsapp',
								metadata: { display_phone_number: digitsOnly(p.displayPhoneNumber ?? ''), phone_number_id: p.phoneNumberId },
								...value,
							},
							field: 'messages',
						},
					],
				},
			],
		};
	}

	function statusPayload(p: PhoneState, m: OutboundMessage, status: StatusRecord['status'], timestamp: string, errors?: unknown[]): Obj {
		const st: Obj = { id: m.wamid, status, timestamp, recipient_id: m.waId };
		if (status === 'failed') {
			st.errors = errors ?? [webhookError(131000)];
		} else {
			const billable = m.category !== 'service';
			st.conversation = {
				id: m.conversationId,
				...(status === 'sent' ? { expiration_timestamp: String(Number(timestamp) + 24 * 3600) } : {}),
				origin: { type: m.category },
			};
			st.pricing = { billable, pricing_model: 'PMP', category: m.category, type: billable ? 'regular' : 'free_customer_service' };
		}
		const bizOpaque = m.payload.biz_opaque_callback_data;
		if (typeof bizOpaque === 'string') st.biz_opaque_callback_data = bizOpaque;
		return envelope(p, { statuses: [st] });
	}

	const answered2xx = (d: WebhookDelivery | null) => !!d && d.responseStatus >= 200 && d.responseStatus < 300;

	async function emitStatus(o: StatusOptions, redeliver = false): Promise<WebhookDelivery | null> {
		const m = outbound.get(o.wamid);
		if (!m) throw Object.assign(new Error(`Unknown wamid ${o.wamid}`), { statusCode: 404 });
		const p = phones.get(m.phoneNumberId);
		if (!p) throw Object.assign(new Error(`Phone number ${m.phoneNumberId} no longer registered`), { statusCode: 404 });
		const ts = o.timestamp !== undefined ? String(o.timestamp) : nowSec();
		const errors =
			o.status === 'failed'
				? (o.errors ?? [{ code: 131000 }]).map((e) =>
						webhookError(e.code, { title: e.title, message: e.message, details: e.details ?? e.error_data?.details }),
					)
				: undefined;
		const rec: StatusRecord = { status: o.status, timestamp: ts, delivered: false };
		if (errors) rec.errors = errors;
		m.statuses.push(rec);
		const payload = statusPayload(p, m, o.status, ts, errors);
		const d = await deliver(p, 'status', payload, { wamid: m.wamid });
		rec.delivered = answered2xx(d);
		if (redeliver && d && !rec.delivered) redeliverStatus(p, m.wamid, payload, rec, 0);
		return d;
	}

	/** Like Meta: the same status payload again, after each configured wait, until answered 2xx. */
	function redeliverStatus(p: PhoneState, wamid: string, payload: unknown, rec: StatusRecord, attempt: number): void {
		const waitMs = config.statusRedeliveryDelaysMs[attempt];
		if (waitMs === undefined) return;
		const startedEpoch = epoch;
		later(waitMs, () => {
			if (startedEpoch !== epoch || closed) return;
			void deliver(p, 'status', payload, { wamid }).then(
				(d) => {
					rec.delivered = answered2xx(d);
					rec.redeliveries = (rec.redeliveries ?? 0) + 1;
					if (d && !rec.delivered) redeliverStatus(p, wamid, payload, rec, attempt + 1);
				},
				(e: Error) => log(`status redelivery error: ${e.message}`),
			);
		});
	}

	function scheduleStatuses(p: PhoneState, m: OutboundMessage, failure?: FaultSpec['statusFailure']): void {
		const steps: StatusOptions[] = failure
			? [{ wamid: m.wamid, status: 'failed', errors: [failure] }]
			: (p.autoStatuses ?? ['sent', 'delivered']).map((s) => ({ wamid: m.wamid, status: s }));
		// Sequential, so a slow receiver can't reorder them.
		let chain = Promise.resolve();
		const startedEpoch = epoch;
		steps.forEach((s, i) => {
			later(config.statusDelayMs * (i + 1), () => {
				chain = chain.then(() =>
					startedEpoch !== epoch || closed
						? undefined
						: emitStatus(s, true).then(
								() => undefined,
								(e) => log(`status error: ${e.message}`),
							),
				);
			});
		});
	}

	async function inbound(o: InboundOptions): Promise<InboundResult> {
		const p = phones.get(o.phoneNumberId);
		if (!p) throw Object.assign(new Error(`Unknown phoneNumberId ${o.phoneNumberId}`), { statusCode: 404 });
		const from = digitsOnly(String(o.from ?? ''));
		if (!from) throw Object.assign(new Error('from is required'), { statusCode: 400 });
		const wamid = o.id ?? newWamid(from);
		const ts = o.timestamp ?? Math.floor(now() / 1000);
		const msg: Obj = { from, id: wamid, timestamp: String(ts) };

		let context = o.context;
		const isReply = !!(o.buttonReply || o.listReply || o.quickReplyButton);
		if (!context && isReply) {
			const last = [...outbound.values()].reverse().find((m) => m.phoneNumberId === p.phoneNumberId && m.waId === from);
			if (last) context = { id: last.wamid };
		}
		if (context) msg.context = { from: context.from ?? digitsOnly(p.displayPhoneNumber ?? ''), id: context.id };

		if (o.buttonReply) {
			msg.type = 'interactive';
			msg.interactive = { type: 'button_reply', button_reply: { id: o.buttonReply.id, title: o.buttonReply.title } };
		} else if (o.listReply) {
			msg.type = 'interactive';
			const lr: Obj = { id: o.listReply.id, title: o.listReply.title };
			if (o.listReply.description !== undefined) lr.description = o.listReply.description;
			msg.interactive = { type: 'list_reply', list_reply: lr };
		} else if (o.quickReplyButton) {
			msg.type = 'button';
			msg.button = { payload: o.quickReplyButton.payload, text: o.quickReplyButton.text };
		} else {
			msg.type = 'text';
			msg.text = { body: o.text ?? '' };
		}
		if (o.referral) msg.referral = o.referral;

		const payload = envelope(p, {
			contacts: [{ profile: { name: o.name ?? 'WhatsApp User' }, wa_id: from }],
			messages: [msg],
		});
		windows.set(`${p.phoneNumberId}:${from}`, ts * 1000);
		inboundIds.set(wamid, { phoneNumberId: p.phoneNumberId, from, read: false });
		const d = await deliver(p, 'inbound', payload, { wamid, rawBody: o.rawBody, signature: o.signature });
		return {
			wamid,
			delivered: d ? { status: d.responseStatus, body: parseMaybeJson(d.responseBody) } : { status: 0, body: 'no webhook URL configured' },
			payload: o.rawBody !== undefined ? o.rawBody : payload,
			delivery: d,
		};
	}

	// ---------------------------------------------------------- faults

	function matchFault(objectId: string | undefined, kind: string, method: string): FaultSpec | null {
		for (let i = 0; i < faultQueue.length; i++) {
			const f = faultQueue[i];
			// A phone-number fault matches requests on that number and on its WABA (templates, subscribed_apps).
			if (f.phoneNumberId !== undefined && f.phoneNumberId !== objectId && phones.get(f.phoneNumberId)?.wabaId !== objectId) {
				continue;
			}
			if (f.path !== undefined && f.path !== kind) continue;
			if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
			if (f.probability !== undefined) {
				if (Math.random() < f.probability) return f;
				continue;
			}
			f.remaining -= 1;
			if (f.remaining <= 0) faultQueue.splice(i, 1);
			return f;
		}
		return null;
	}

	// ---------------------------------------------------------- Graph handlers

	function err(code: number, o: Parameters<typeof graphError>[1] = {}): Resp {
		const e = graphError(code, o);
		return { status: e.status, body: e.body };
	}

	function authToken(req: http.IncomingMessage, query: Record<string, string>): string | undefined {
		const h = req.headers.authorization;
		if (typeof h === 'string') {
			const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h.trim());
			if (m) return m[1].trim();
			return '';
		}
		return query.access_token;
	}

	function unsupported(method: string, id: string): Resp {
		return err(100, {
			subcode: 33,
			noErrorData: true,
			type: 'GraphMethodException',
			message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
		});
	}

	function invalidToken(): Resp {
		const r = err(190, { noErrorData: true });
		r.headers = { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' };
		return r;
	}

	function knownToken(t: string): boolean {
		for (const p of phones.values()) if (p.accessToken === t) return true;
		return false;
	}

	async function handleGraph(
		method: string,
		parts: string[],
		query: Record<string, string>,
		body: unknown,
		token: string | undefined,
		fault: FaultSpec | null,
	): Promise<Resp> {
		const [id, edge, ...rest] = parts;
		if (!id) return err(100, { noErrorData: true, message: 'Unsupported request - method type: ' + method.toLowerCase() });
		if (!token || !knownToken(token)) return invalidToken();

		const phone = phones.get(id);
		const isWaba = !phone && wabaExists(id);
		if (!phone && !isWaba) return unsupported(method, id);
		if (phone && phone.accessToken !== token) return unsupported(method, id);
		if (isWaba && !wabaTokens(id).has(token)) return unsupported(method, id);
		if (rest.length > 0) return err(2500, { noErrorData: true, message: `Unknown path components: /${rest.join('/')}` });

		if (phone) {
			if (edge === undefined) {
				if (method === 'GET') return phoneInfo(phone, query);
				if (method === 'POST') return phoneUpdate(phone, body);
				return unsupported(method, id);
			}
			if (edge === 'messages') {
				if (method !== 'POST') return unsupported(method, id);
				return sendMessage(phone, body, fault);
			}
			return err(2500, { noErrorData: true, message: `Unknown path components: /${edge}` });
		}
		const wabaId = id;
		if (edge === undefined) {
			if (method !== 'GET') return unsupported(method, id);
			return { status: 200, body: { id: wabaId, name: 'Fake Resort WABA', currency: 'USD', timezone_id: '1', message_template_namespace: `fake_${wabaId}` } };
		}
		if (edge === 'phone_numbers') {
			if (method !== 'GET') return unsupported(method, id);
			return {
				status: 200,
				body: {
					data: [...phones.values()].filter((p) => p.wabaId === wabaId).map((p) => phoneFields(p)),
					paging: { cursors: { before: 'QVFIUk', after: 'QVFIUk' } },
				},
			};
		}
		if (edge === 'message_templates') {
			if (method === 'GET') return listTemplates(wabaId, query);
			if (method === 'POST') return createTemplate(wabaId, { ...query, ...(isObj(body) ? body : {}) });
			if (method === 'DELETE') return deleteTemplate(wabaId, { ...query, ...(isObj(body) ? body : {}) });
			return unsupported(method, id);
		}
		if (edge === 'subscribed_apps') {
			if (method === 'GET') return getSubscription(wabaId);
			if (method === 'POST') return postSubscription(wabaId, { ...query, ...(isObj(body) ? body : {}) });
			if (method === 'DELETE') {
				subs.delete(wabaId);
				return { status: 200, body: { success: true } };
			}
			return unsupported(method, id);
		}
		return err(2500, { noErrorData: true, message: `Unknown path components: /${edge}` });
	}

	function phoneFields(p: PhoneState): Obj {
		return {
			verified_name: p.verifiedName,
			code_verification_status: 'VERIFIED',
			display_phone_number: p.displayPhoneNumber,
			quality_rating: p.qualityRating ?? 'GREEN',
			platform_type: 'CLOUD_API',
			throughput: { level: (p.throughputPerSecond ?? 80) > 80 ? 'HIGH' : 'STANDARD' },
			id: p.phoneNumberId,
		};
	}

	function phoneInfo(p: PhoneState, query: Record<string, string>): Resp {
		const all: Obj = {
			...phoneFields(p),
			name_status: 'APPROVED',
			messaging_limit_tier: 'TIER_1K',
			webhook_configuration: {
				...(p.overrideCallbackUri ? { phone_number: p.overrideCallbackUri } : {}),
				...(subs.get(p.wabaId)?.overrideCallbackUri ? { whatsapp_business_account: subs.get(p.wabaId)?.overrideCallbackUri } : {}),
				...(p.webhookUrl ? { application: p.webhookUrl } : {}),
			},
		};
		if (query.fields) {
			const out: Obj = {};
			for (const f of query.fields.split(',').map((s) => s.trim()).filter(Boolean)) {
				if (f in all) out[f] = all[f];
			}
			out.id = p.phoneNumberId;
			return { status: 200, body: out };
		}
		const { verified_name, code_verification_status, display_phone_number, quality_rating, platform_type, throughput, webhook_configuration, id } = all;
		return { status: 200, body: { verified_name, code_verification_status, display_phone_number, quality_rating, platform_type, throughput, webhook_configuration, id } };
	}

	async function phoneUpdate(p: PhoneState, body: unknown): Promise<Resp> {
		const b = isObj(body) ? body : {};
		const wc = isObj(b.webhook_configuration) ? b.webhook_configuration : undefined;
		if (!wc) return err(100, { details: 'The parameter webhook_configuration is required.' });
		const uri = wc.override_callback_uri;
		if (uri === undefined || uri === '') {
			delete p.overrideCallbackUri;
			return { status: 200, body: { success: true } };
		}
		const v = await verifyCallback(String(uri), String(wc.verify_token ?? ''));
		if (v) return v;
		p.overrideCallbackUri = String(uri);
		return { status: 200, body: { success: true } };
	}

	function sendMessage(p: PhoneState, body: unknown, fault: FaultSpec | null): Resp {
		if (!isObj(body)) return err(100, { details: 'Request body must be a JSON object.' });
		// Throughput first: Meta throttles before looking at the payload.
		if (!takeThroughput(p)) {
			// Meta documents 130429 with HTTP 400 (not 429) in the Cloud API error-code table; we mirror that.
			return err(130429, { details: `Message failed to send because there were too many messages sent from this phone number in a short period of time (limit ${p.throughputPerSecond ?? 80}/s)` });
		}

		// mark-as-read (and typing indicator)
		if (body.status !== undefined) {
			if (body.messaging_product !== 'whatsapp') return err(100, { message: '(#100) The parameter messaging_product is required.', details: 'The parameter messaging_product is required.' });
			if (body.status !== 'read') return err(100, { details: `Param status must be one of {READ} - got "${String(body.status)}".` });
			if (typeof body.message_id !== 'string' || body.message_id === '') {
				return err(100, { message: '(#100) The parameter message_id is required.', details: 'The parameter message_id is required.' });
			}
			const known = inboundIds.get(body.message_id);
			if (!known || known.phoneNumberId !== p.phoneNumberId) {
				return err(100, { message: '(#100) Invalid parameter', details: `Invalid message_id: '${body.message_id}' is not a message received by this phone number.` });
			}
			known.read = true;
			return { status: 200, body: { success: true } };
		}

		const v = validateSend(body);
		if (v) return err(v.code, { details: v.details, message: v.message });
		const type = String(body.type ?? 'text');
		const waId = normalizeTo(body.to) as string;
		let category = 'service';

		if (type === 'template') {
			const t = body.template as Obj;
			const name = String(t.name);
			const lang = langCode(t.language);
			const tpl = (templatesByWaba.get(p.wabaId) ?? []).find((x) => x.name === name && x.language === lang);
			if (!tpl || !['APPROVED', 'PAUSED', 'DISABLED'].includes(tpl.status)) {
				return err(132001, { details: `template name (${name}) does not exist in ${lang}` });
			}
			if (tpl.status === 'PAUSED') return err(132015, { details: `Template ${name} (${lang}) is paused due to low quality.` });
			if (tpl.status === 'DISABLED') return err(132016, { details: `Template ${name} (${lang}) is disabled.` });
			const mismatch = templateParamMismatch(tpl, Array.isArray(t.components) ? (t.components as unknown[]) : []);
			if (mismatch) return err(132000, { details: mismatch });
			category = tpl.category.toLowerCase();
		} else if (!windowOpen(p.phoneNumberId, waId)) {
			return err(131047, { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' });
		}

		const wamid = newWamid(waId);
		const m: OutboundMessage = {
			wamid,
			phoneNumberId: p.phoneNumberId,
			wabaId: p.wabaId,
			to: String(body.to),
			waId,
			type,
			payload: body,
			at: new Date(now()).toISOString(),
			category,
			conversationId: crypto.randomBytes(16).toString('hex'),
			statuses: [],
		};
		outbound.set(wamid, m);
		scheduleStatuses(p, m, fault?.statusFailure);
		const msg: Obj = { id: wamid };
		if (type === 'template') msg.message_status = 'accepted';
		return {
			status: 200,
			body: { messaging_product: 'whatsapp', contacts: [{ input: String(body.to), wa_id: waId }], messages: [msg] },
		};
	}

	function templateParamMismatch(tpl: FakeTemplate, sent: unknown[]): string | null {
		for (const compType of ['header', 'body'] as const) {
			const def = tpl.components.find((c) => String(c.type ?? '').toLowerCase() === compType);
			if (compType === 'header' && def && String(def.format ?? 'TEXT').toUpperCase() !== 'TEXT') continue;
			const expected = def ? placeholders(def.text).length : 0;
			const given = sent.filter((c) => isObj(c) && String(c.type ?? '').toLowerCase() === compType);
			const count = given.reduce<number>((n, c) => n + (Array.isArray((c as Obj).parameters) ? ((c as Obj).parameters as unknown[]).length : 0), 0);
			if (count !== expected) {
				return `${compType}: number of localizable_params (${count}) does not match the expected number of params (${expected})`;
			}
		}
		return null;
	}

	function listTemplates(wabaId: string, q: Record<string, string>): Resp {
		let list = allTemplates(wabaId);
		if (q.name) list = list.filter((t) => t.name.toLowerCase().includes(q.name.toLowerCase()));
		if (q.status) {
			const ss = q.status.toUpperCase().split(',');
			list = list.filter((t) => ss.includes(t.status));
		}
		if (q.category) list = list.filter((t) => t.category === q.category.toUpperCase());
		if (q.language) list = list.filter((t) => t.language === q.language);
		const limit = Math.max(1, Math.min(Number(q.limit) || 25, 1000));
		const start = q.after ? Number(Buffer.from(q.after, 'base64').toString('utf8')) || 0 : 0;
		const page = list.slice(start, start + limit);
		const fields = q.fields ? q.fields.split(',').map((f) => f.trim()) : ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'];
		const data = page.map((t) => {
			const o: Obj = {};
			for (const f of fields) if (f in t) o[f] = (t as unknown as Obj)[f];
			o.id = t.id;
			return o;
		});
		const cur = (n: number) => Buffer.from(String(n)).toString('base64');
		const paging: Obj = { cursors: { before: cur(start), after: cur(start + page.length) } };
		if (start + page.length < list.length) {
			paging.next = `/v21.0/${wabaId}/message_templates?limit=${limit}&after=${cur(start + page.length)}`;
		}
		if (start > 0) paging.previous = `/v21.0/${wabaId}/message_templates?limit=${limit}&before=${cur(start)}`;
		return { status: 200, body: { data, paging } };
	}

	function templateError(details: string, userTitle = 'Invalid parameter'): Resp {
		return err(100, { message: 'Invalid parameter', details, userTitle, userMsg: details });
	}

	function createTemplate(wabaId: string, b: Obj): Resp {
		const name = b.name;
		if (typeof name !== 'string' || name === '') return err(100, { message: '(#100) The parameter name is required.', details: 'The parameter name is required.' });
		if (!/^[a-z0-9_]+$/.test(name) || name.length > 512) {
			return templateError(`Invalid template name '${name}': only lowercase letters, digits and underscores are allowed, max 512 characters.`, 'Invalid template name');
		}
		if (b.category === undefined || b.category === '') return err(100, { message: '(#100) The parameter category is required.', details: 'The parameter category is required.' });
		const category = String(b.category).toUpperCase() as TemplateCategory;
		if (!CATEGORIES.includes(category)) {
			return err(100, { details: `Param category must be one of {${CATEGORIES.join(', ')}} - got "${String(b.category)}".`, message: `(#100) Param category must be one of {${CATEGORIES.join(', ')}} - got "${String(b.category)}".` });
		}
		const language = langCode(b.language);
		if (!language) return err(100, { message: '(#100) The parameter language is required.', details: 'The parameter language is required.' });
		if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) return templateError(`Invalid language code '${language}'.`, 'Invalid language');
		let components = b.components;
		if (typeof components === 'string') {
			try {
				components = JSON.parse(components);
			} catch {
				/* handled below */
			}
		}
		if (!Array.isArray(components) || components.length === 0) {
			return err(100, { message: '(#100) The parameter components is required.', details: 'The parameter components is required.' });
		}
		const comps = components as unknown[];
		const upper = (c: unknown) => (isObj(c) ? String(c.type ?? '').toUpperCase() : '');
		const bodyC = comps.find((c) => upper(c) === 'BODY') as Obj | undefined;
		if (!bodyC || typeof bodyC.text !== 'string' || bodyC.text === '') return templateError('components: a BODY component with text is required.', 'Missing body');
		if ([...bodyC.text].length > 1024) return templateError('components[BODY].text: must be at most 1024 characters.', 'Body too long');
		const header = comps.find((c) => upper(c) === 'HEADER') as Obj | undefined;
		if (header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT' && typeof header.text === 'string' && [...header.text].length > 60) {
			return templateError('components[HEADER].text: must be at most 60 characters.', 'Header too long');
		}
		const footer = comps.find((c) => upper(c) === 'FOOTER') as Obj | undefined;
		if (footer && typeof footer.text === 'string' && [...footer.text].length > 60) {
			return templateError('components[FOOTER].text: must be at most 60 characters.', 'Footer too long');
		}
		const existing = (templatesByWaba.get(wabaId) ?? []).find((t) => t.name === name && t.language === language);
		if (existing) {
			return err(100, {
				message: 'Invalid parameter',
				subcode: 2388023,
				details: `Message template "${name}" already exists in ${language}`,
				userTitle: 'Message template language is being deleted',
				userMsg: `There is already ${language} content for this template. You can create a new template and try again.`,
				isTransient: false,
			});
		}
		const outcome = config.templateReviewOutcome;
		const t = upsertTemplate(wabaId, {
			name,
			language,
			category,
			status: outcome,
			components: comps as Array<Record<string, unknown>>,
			parameter_format: b.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL',
		});
		if (outcome === 'REJECTED') t.rejected_reason = 'INVALID_FORMAT';
		if (outcome === 'PENDING' && config.templateReviewDelayMs !== undefined) {
			later(config.templateReviewDelayMs, () => {
				if (t.status === 'PENDING') t.status = 'APPROVED';
			});
		}
		return { status: 200, body: { id: t.id, status: t.status, category: t.category } };
	}

	function deleteTemplate(wabaId: string, b: Obj): Resp {
		const name = b.name;
		if (typeof name !== 'string' || name === '') return err(100, { message: '(#100) The parameter name is required.', details: 'The parameter name is required.' });
		const list = templatesByWaba.get(wabaId) ?? [];
		const keep = list.filter((t) => !(t.name === name && (b.hsm_id === undefined || t.id === String(b.hsm_id))));
		if (keep.length === list.length) {
			return err(100, {
				message: 'Invalid parameter',
				details: `Message template "${name}" not found.`,
				userTitle: 'Message template not found',
				userMsg: `The message template ${name} could not be found.`,
			});
		}
		templatesByWaba.set(wabaId, keep);
		return { status: 200, body: { success: true } };
	}

	async function verifyCallback(uri: string, verifyToken: string): Promise<Resp | null> {
		const challenge = String(crypto.randomInt(100_000_000, 2_000_000_000));
		let u: URL;
		try {
			u = new URL(uri);
			if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('bad protocol');
		} catch {
			return err(100, { details: `Invalid override_callback_uri '${uri}'.`, message: '(#100) Invalid parameter' });
		}
		u.searchParams.set('hub.mode', 'subscribe');
		u.searchParams.set('hub.challenge', challenge);
		u.searchParams.set('hub.verify_token', verifyToken);
		const r = await httpCall('GET', u.toString(), undefined, { 'User-Agent': 'facebookplatform/1.0 (+http://developers.facebook.com)', Accept: '*/*' }, 5_000);
		const ok = r.status === 200 && r.body.trim() === challenge;
		webhookLog.push({
			seq: ++whSeq,
			at: new Date(now()).toISOString(),
			kind: 'verification',
			url: u.toString(),
			method: 'GET',
			body: '',
			payload: { 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': verifyToken },
			requestHeaders: {},
			responseStatus: r.status,
			responseBody: r.body,
			durationMs: r.durationMs,
			...(r.error ? { error: r.error } : {}),
		});
		if (ok) return null;
		let why: string;
		if (r.error) why = `curl_errno = 7; curl_error = ${r.error}`;
		else if (r.status !== 200) why = `HTTP Status Code = ${r.status}; HTTP Message = ${http.STATUS_CODES[r.status] ?? 'Unknown'}`;
		else why = "The URL couldn't be validated. Response does not match challenge, expected value=\"" + challenge + '", received="' + r.body.slice(0, 100) + '"';
		const message = `(#2200) Callback verification failed with the following errors: ${why}`;
		return err(2200, { message, details: message });
	}

	function getSubscription(wabaId: string): Resp {
		const s = subs.get(wabaId);
		if (!s) return { status: 200, body: { data: [] } };
		const item: Obj = { whatsapp_business_api_data: { ...FAKE_APP } };
		if (s.overrideCallbackUri) item.override_callback_uri = s.overrideCallbackUri;
		return { status: 200, body: { data: [item] } };
	}

	async function postSubscription(wabaId: string, b: Obj): Promise<Resp> {
		const uri = b.override_callback_uri;
		if (uri !== undefined && uri !== '') {
			if (b.verify_token === undefined || b.verify_token === '') {
				return err(100, { message: '(#100) The parameter verify_token is required.', details: 'verify_token is required when override_callback_uri is set.' });
			}
			const v = await verifyCallback(String(uri), String(b.verify_token));
			if (v) return v;
			subs.set(wabaId, { wabaId, overrideCallbackUri: String(uri), verifyToken: String(b.verify_token), subscribedAt: new Date(now()).toISOString() });
		} else {
			subs.set(wabaId, { wabaId, subscribedAt: new Date(now()).toISOString() });
		}
		return { status: 200, body: { success: true } };
	}

	// ---------------------------------------------------------- control API

	function filterRequests(f: RequestFilter = {}): RequestRecord[] {
		return requestLog.filter((r) => {
			if (f.phoneNumberId !== undefined && r.objectId !== f.phoneNumberId) return false;
			if (f.wabaId !== undefined && r.objectId !== f.wabaId) return false;
			if (f.path !== undefined && r.kind !== f.path && !r.path.includes(f.path)) return false;
			if (f.method !== undefined && r.method !== f.method.toUpperCase()) return false;
			if (f.since !== undefined && f.since !== '') {
				const n = Number(f.since);
				if (!Number.isNaN(n)) {
					if (r.seq <= n) return false;
				} else if (r.at < String(f.since)) return false;
			}
			return true;
		});
	}

	function setClock(c: { offsetMs?: number; now?: string; advanceMs?: number }): { now: string; offsetMs: number } {
		if (c.now !== undefined) {
			const t = Date.parse(c.now);
			if (Number.isNaN(t)) throw Object.assign(new Error(`Invalid date: ${c.now}`), { statusCode: 400 });
			clockOffsetMs = t - Date.now();
		} else if (c.offsetMs !== undefined) clockOffsetMs = Number(c.offsetMs);
		if (c.advanceMs !== undefined) clockOffsetMs += Number(c.advanceMs);
		return { now: new Date(now()).toISOString(), offsetMs: clockOffsetMs };
	}

	function addFault(f: FaultSpec): void {
		if (f.error && typeof f.error.code !== 'number') throw Object.assign(new Error('fault.error.code must be a number'), { statusCode: 400 });
		faultQueue.push({ ...f, remaining: f.count ?? 1 });
	}

	function reset(o: { keepPhoneNumbers?: boolean } = {}): void {
		epoch += 1;
		for (const t of timers) clearTimeout(t);
		timers.clear();
		if (!o.keepPhoneNumbers) {
			phones.clear();
			subs.clear();
		}
		templatesByWaba.clear();
		windows.clear();
		sendTimes.clear();
		faultQueue.length = 0;
		requestLog = [];
		webhookLog = [];
		outbound.clear();
		inboundIds.clear();
		clockOffsetMs = 0;
		seq = 0;
		whSeq = 0;
	}

	function webhooks(f: { kind?: WebhookKind; phoneNumberId?: string; wamid?: string; since?: number } = {}): WebhookDelivery[] {
		return webhookLog.filter(
			(d) =>
				(f.kind === undefined || d.kind === f.kind) &&
				(f.phoneNumberId === undefined || d.phoneNumberId === f.phoneNumberId) &&
				(f.wamid === undefined || d.wamid === f.wamid) &&
				(f.since === undefined || d.seq > f.since),
		);
	}

	function messagesList(f: { phoneNumberId?: string; to?: string } = {}): OutboundMessage[] {
		return [...outbound.values()].filter(
			(m) => (f.phoneNumberId === undefined || m.phoneNumberId === f.phoneNumberId) && (f.to === undefined || m.waId === digitsOnly(f.to)),
		);
	}

	async function handleControl(method: string, path: string, query: Record<string, string>, body: unknown): Promise<Resp> {
		const b = isObj(body) ? body : {};
		const ok = (x: unknown): Resp => ({ status: 200, body: x });
		const route = `${method} ${path}`;
		switch (route) {
			case 'GET /_fake/health':
				return ok({ ok: true });
			case 'POST /_fake/phone-numbers': {
				const list = Array.isArray(body) ? body : Array.isArray(b.phoneNumbers) ? b.phoneNumbers : [b];
				const out = list.map((p) => registerPhoneNumber(p as FakePhoneNumber));
				return ok(Array.isArray(body) || Array.isArray(b.phoneNumbers) ? { data: out } : out[0]);
			}
			case 'GET /_fake/phone-numbers':
				return ok({ data: [...phones.values()].map(publicPhone) });
			case 'POST /_fake/templates': {
				if (typeof b.wabaId !== 'string' || !Array.isArray(b.templates)) throw Object.assign(new Error('wabaId and templates[] are required'), { statusCode: 400 });
				for (const t of b.templates as TemplateSeed[]) {
					if (t.status !== undefined && !TEMPLATE_STATUSES.includes(t.status)) throw Object.assign(new Error(`Invalid status ${t.status}`), { statusCode: 400 });
				}
				return ok({ data: seedTemplates(b.wabaId, b.templates as TemplateSeed[]) });
			}
			case 'GET /_fake/templates':
				return ok({ data: allTemplates(query.wabaId) });
			case 'POST /_fake/inbound':
				return ok(await inbound(b as unknown as InboundOptions));
			case 'POST /_fake/status':
				return ok({ delivery: await emitStatus(b as unknown as StatusOptions) });
			case 'POST /_fake/faults': {
				const list = Array.isArray(body) ? body : [b];
				for (const f of list) addFault(f as FaultSpec);
				return ok({ queued: faultQueue.length });
			}
			case 'GET /_fake/faults':
				return ok({ data: faultQueue });
			case 'DELETE /_fake/faults':
				faultQueue.length = 0;
				return ok({ success: true });
			case 'GET /_fake/requests':
				return ok({ data: filterRequests({ phoneNumberId: query.phoneNumberId, wabaId: query.wabaId, path: query.path, method: query.method, since: query.since }) });
			case 'DELETE /_fake/requests':
				requestLog = [];
				return ok({ success: true });
			case 'GET /_fake/webhooks':
				return ok({
					data: webhooks({
						kind: query.kind as WebhookKind | undefined,
						phoneNumberId: query.phoneNumberId,
						wamid: query.wamid,
						since: query.since !== undefined ? Number(query.since) : undefined,
					}),
				});
			case 'DELETE /_fake/webhooks':
				webhookLog = [];
				return ok({ success: true });
			case 'GET /_fake/messages':
				return ok({ data: messagesList({ phoneNumberId: query.phoneNumberId, to: query.to }) });
			case 'GET /_fake/subscriptions':
				return ok({ data: [...subs.values()] });
			case 'POST /_fake/window':
				openWindow(String(b.phoneNumberId), String(b.waId ?? b.from), b.at ? new Date(String(b.at)) : undefined);
				return ok({ success: true });
			case 'POST /_fake/reset':
				reset({ keepPhoneNumbers: b.keepPhoneNumbers === true });
				return ok({ success: true });
			case 'GET /_fake/clock':
				return ok({ now: new Date(now()).toISOString(), offsetMs: clockOffsetMs });
			case 'POST /_fake/clock':
				return ok(setClock(b as { offsetMs?: number; now?: string; advanceMs?: number }));
			case 'GET /_fake/config':
				return ok(config);
			case 'POST /_fake/config':
				return ok(setConfig(b as FakeConfig));
			default:
				return { status: 404, body: { error: `No control route ${route}` } };
		}
	}

	function setConfig(c: FakeConfig): FakeConfig {
		if (c.templateReviewOutcome !== undefined) {
			if (!['APPROVED', 'PENDING', 'REJECTED'].includes(c.templateReviewOutcome)) throw Object.assign(new Error('invalid templateReviewOutcome'), { statusCode: 400 });
			config.templateReviewOutcome = c.templateReviewOutcome;
		}
		if (c.templateReviewDelayMs !== undefined) config.templateReviewDelayMs = c.templateReviewDelayMs;
		if (c.statusDelayMs !== undefined) config.statusDelayMs = c.statusDelayMs;
		if (c.serviceWindowMs !== undefined) config.serviceWindowMs = c.serviceWindowMs;
		if (c.statusRedeliveryDelaysMs !== undefined) {
			if (!Array.isArray(c.statusRedeliveryDelaysMs) || !c.statusRedeliveryDelaysMs.every((d) => Number.isFinite(d) && d >= 0)) {
				throw Object.assign(new Error('statusRedeliveryDelaysMs must be a list of non-negative numbers'), { statusCode: 400 });
			}
			config.statusRedeliveryDelaysMs = [...c.statusRedeliveryDelaysMs];
		}
		return { ...config };
	}

	// ---------------------------------------------------------- HTTP plumbing

	function send(res: http.ServerResponse, r: Resp, fallbackTraceId: string): void {
		const payload = JSON.stringify(r.body);
		const bodyTrace = isObj(r.body) && isObj(r.body.error) ? r.body.error.fbtrace_id : undefined;
		const traceId = typeof bodyTrace === 'string' ? bodyTrace : fallbackTraceId;
		res.writeHead(r.status, {
			'Content-Type': 'application/json; charset=UTF-8',
			'Content-Length': Buffer.byteLength(payload),
			'x-fb-trace-id': traceId,
			'x-fb-request-id': traceId,
			'facebook-api-version': 'v21.0',
			...(r.headers ?? {}),
		});
		res.end(payload);
	}

	function readBody(req: http.IncomingMessage): Promise<Buffer> {
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			req.on('data', (c: Buffer) => {
				size += c.length;
				if (size > 20 * 1024 * 1024) {
					reject(new Error('body too large'));
					req.destroy();
					return;
				}
				chunks.push(c);
			});
			req.on('end', () => resolve(Buffer.concat(chunks)));
			req.on('error', reject);
		});
	}

	function parseRequestBody(raw: string, contentType: string | undefined): { body: unknown; malformed: boolean } {
		if (raw === '') return { body: undefined, malformed: false };
		if (contentType?.includes('application/x-www-form-urlencoded')) {
			const o: Obj = {};
			for (const [k, v] of new URLSearchParams(raw)) {
				o[k] = v.startsWith('{') || v.startsWith('[') ? parseMaybeJson(v) : v;
			}
			return { body: o, malformed: false };
		}
		try {
			return { body: JSON.parse(raw), malformed: false };
		} catch {
			return { body: raw, malformed: true };
		}
	}

	const sockets = new Set<Socket>();

	const server = http.createServer(async (req, res) => {
		const method = (req.method ?? 'GET').toUpperCase();
		const u = new URL(req.url ?? '/', 'http://fake');
		const query = Object.fromEntries(u.searchParams.entries());
		let raw: Buffer;
		try {
			raw = await readBody(req);
		} catch {
			return;
		}
		const rawStr = raw.toString('utf8');
		const traceId = newTraceId();

		if (u.pathname === '/_fake' || u.pathname.startsWith('/_fake/')) {
			let parsed: unknown;
			try {
				parsed = rawStr === '' ? {} : JSON.parse(rawStr);
			} catch {
				send(res, { status: 400, body: { error: 'Control API body must be JSON' } }, traceId);
				return;
			}
			try {
				send(res, await handleControl(method, u.pathname.replace(/\/+$/, ''), query, parsed), traceId);
			} catch (e) {
				send(res, { status: (e as { statusCode?: number }).statusCode ?? 500, body: { error: (e as Error).message } }, traceId);
			}
			return;
		}

		// ---- Graph request
		const segs = u.pathname.split('/').filter(Boolean);
		if (segs[0] && /^v\d+(\.\d+)?$/.test(segs[0])) segs.shift();
		const [objectId, edge] = segs;
		const kind = edge ?? (objectId ? (phones.has(objectId) ? 'phone_number' : wabaExists(objectId) ? 'waba' : 'object') : 'root');
		const { body, malformed } = parseRequestBody(rawStr, req.headers['content-type']);
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
		const record: RequestRecord = {
			seq: ++seq,
			at: new Date(now()).toISOString(),
			method,
			path: u.pathname,
			query,
			headers,
			body: body === undefined ? null : body,
			objectId,
			kind,
			status: 0,
			response: null,
		};
		requestLog.push(record);

		const fault = matchFault(objectId, kind, method);
		if (fault) record.fault = JSON.stringify({ ...fault, remaining: undefined });
		if (fault?.latencyMs) await sleep(fault.latencyMs);
		if (closed) return;
		if (fault?.drop) {
			record.status = 0;
			record.response = null;
			req.socket.destroy();
			log(`${method} ${u.pathname} -> dropped (fault)`);
			return;
		}
		let r: Resp;
		if (fault?.error) {
			r = err(fault.error.code, {
				httpStatus: fault.error.httpStatus,
				// Meta prefixes WhatsApp error messages with "(#code) "; a bare fault message gets the same treatment.
				message:
					fault.error.message === undefined || fault.error.message.startsWith('(#') || ERROR_TABLE[fault.error.code]?.raw
						? fault.error.message
						: `(#${fault.error.code}) ${fault.error.message}`,
				subcode: fault.error.subcode,
				type: fault.error.type,
				details: fault.error.details,
			});
			if (fault.retryAfterSeconds !== undefined) r.headers = { ...(r.headers ?? {}), 'Retry-After': String(fault.retryAfterSeconds) };
		} else if (malformed) {
			r = err(100, { details: 'Request body is not valid JSON.', message: '(#100) Invalid parameter' });
		} else {
			try {
				r = await handleGraph(method, segs, query, body, authToken(req, query), fault);
			} catch (e) {
				log(`internal error: ${(e as Error).stack}`);
				r = err(131000, { details: `Fake internal error: ${(e as Error).message}` });
			}
			if (fault?.retryAfterSeconds !== undefined) r.headers = { ...(r.headers ?? {}), 'Retry-After': String(fault.retryAfterSeconds) };
		}
		record.status = r.status;
		record.response = r.body;
		log(`${method} ${u.pathname} -> ${r.status}`);
		if (closed || res.destroyed) return;
		send(res, r, traceId);
	});
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const url = `http://${host}:${port}`;

	for (const p of opts.phoneNumbers ?? []) registerPhoneNumber(p);
	for (const t of opts.templates ?? []) seedTemplates(t.wabaId, t.templates);
	log(`fake WhatsApp Cloud API listening on ${url}`);

	async function waitForWebhooks(predicate: (d: WebhookDelivery[]) => boolean, timeoutMs = 5000): Promise<WebhookDelivery[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = [...webhookLog];
			if (predicate(list)) return list;
			if (Date.now() > deadline) throw new Error(`waitForWebhooks: timed out after ${timeoutMs}ms (${list.length} deliveries)`);
			await sleep(10);
		}
	}

	return {
		url,
		port,
		async close() {
			if (closed) return;
			closed = true;
			for (const t of timers) clearTimeout(t);
			timers.clear();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			});
		},
		registerPhoneNumber,
		phoneNumbers: () => [...phones.values()].map(publicPhone),
		seedTemplates,
		templates: allTemplates,
		setTemplateStatus(wabaId, name, language, status) {
			const t = (templatesByWaba.get(wabaId) ?? []).find((x) => x.name === name && x.language === language);
			if (t) t.status = status;
			return t;
		},
		inbound,
		emitStatus,
		addFault,
		faults: () => faultQueue.map((f) => ({ ...f })),
		clearFaults: () => {
			faultQueue.length = 0;
		},
		requests: filterRequests,
		clearRequests: () => {
			requestLog = [];
		},
		webhooks,
		clearWebhooks: () => {
			webhookLog = [];
		},
		messages: messagesList,
		subscriptions: () => [...subs.values()],
		openWindow,
		setClock,
		now: () => new Date(now()),
		setConfig,
		waitForWebhooks,
		reset,
	};
}
