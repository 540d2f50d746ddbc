/** What e2e tests share: the running n8n and fake Cloud API, and ways to deploy into them. */
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import { findTemplate, loadTemplates, toMetaTemplate } from '../../lib/templates';
import type { TemplateSeed } from '../../scripts/fake-cloud-api/server';
import { N8nApi, REPO_ROOT, type OwnerAccount, type WorkflowJson } from '../../scripts/n8n-runtime';
import { FakeControl } from './fakeControl';

export const E2E_ENV_FILE = path.join(REPO_ROOT, '.tmp', 'e2e-env.json');

export interface E2eEnv {
	n8nUrl: string;
	owner: OwnerAccount;
	fakeUrl: string;
	userFolder: string;
	logFile: string;
}

export function e2eEnv(): E2eEnv {
	return JSON.parse(readFileSync(E2E_ENV_FILE, 'utf8')) as E2eEnv;
}

export function connect(): { env: E2eEnv; n8n: N8nApi; fake: FakeControl } {
	const env = e2eEnv();
	return { env, n8n: new N8nApi(env.n8nUrl, env.owner), fake: new FakeControl(env.fakeUrl) };
}

export interface Tenant {
	phoneNumberId: string;
	wabaId: string;
	accessToken: string;
	appSecret: string;
	verifyToken: string;
	credentialName: string;
	credentialId: string;
}

function digits(length: number): string {
	let out = String(1 + (randomBytes(1)[0] % 9));
	while (out.length < length) out += String(randomBytes(1)[0] % 10);
	return out;
}

/**
 * A resort of its own for one test file: a phone number and WABA in the fake Cloud API and a
 * matching credential in n8n, so request logs and webhooks never mix between files.
 */
export async function createTenant(
	n8n: N8nApi,
	fake: FakeControl,
	label: string,
	/** More fields of the Resort WhatsApp Cloud API credential (e.g. linkSigningSecret). */
	credentialExtras: Record<string, string> = {},
): Promise<Tenant> {
	const tenant = {
		phoneNumberId: digits(15),
		wabaId: digits(15),
		accessToken: `EAAG${randomBytes(24).toString('hex')}`,
		appSecret: randomBytes(16).toString('hex'),
		verifyToken: randomBytes(12).toString('hex'),
		credentialName: `Resort WhatsApp Cloud API (${label} ${randomBytes(3).toString('hex')})`,
	};
	await fake.registerPhoneNumber({
		phoneNumberId: tenant.phoneNumberId,
		wabaId: tenant.wabaId,
		accessToken: tenant.accessToken,
		appSecret: tenant.appSecret,
		displayPhoneNumber: '15550001111',
		verifiedName: 'Playa Serena Resort',
	});
	const credentialId = await n8n.createCredential('resortWhatsAppApi', tenant.credentialName, {
		accessToken: tenant.accessToken,
		phoneNumberId: tenant.phoneNumberId,
		businessAccountId: tenant.wabaId,
		appSecret: tenant.appSecret,
		verifyToken: tenant.verifyToken,
		graphApiVersion: 'v23.0',
		baseUrl: fake.url,
		...credentialExtras,
	});
	return { ...tenant, credentialId };
}

export function loadWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

type NodeJson = WorkflowJson['nodes'][number] & { webhookId?: string; parameters?: Record<string, unknown> };

/**
 * Deploys a shipped workflow for a tenant: credentials by name, fresh webhook IDs (n8n refuses
 * two active workflows on one path), optional parameter overrides (e.g. shorter retry delays).
 */
export async function deployWorkflow(
	n8n: N8nApi,
	tenant: Tenant,
	workflow: WorkflowJson,
	overrides: Record<string, Record<string, unknown>> = {},
): Promise<{ id: string; webhookIds: Record<string, string> }> {
	const webhookIds: Record<string, string> = {};
	const nodes = (workflow.nodes as NodeJson[]).map((node) => {
		const copy: NodeJson = JSON.parse(JSON.stringify(node));
		if (copy.webhookId) {
			copy.webhookId = randomUUID();
			webhookIds[copy.name] = copy.webhookId;
		}
		if (copy.credentials?.resortWhatsAppApi) {
			copy.credentials.resortWhatsAppApi = { id: tenant.credentialId, name: tenant.credentialName };
		}
		if (overrides[copy.name]) copy.parameters = { ...(copy.parameters ?? {}), ...overrides[copy.name] };
		return copy;
	});
	const id = await n8n.createWorkflow({ ...workflow, nodes }, { name: `${workflow.name} [${tenant.credentialName}]` });
	await n8n.activateWorkflow(id);
	return { id, webhookIds };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(100);
	}
}

/** A template in every language in Meta's form, as `npm run templates:push` creates it (to seed the fake). */
export function templateSeeds(name: string): TemplateSeed[] {
	const definition = findTemplate(loadTemplates(), name);
	return Object.keys(definition.languages).map((language) => toMetaTemplate(definition, language) as unknown as TemplateSeed);
}

type CredentialRef = { id: string; name: string };
type SettingsNode = { name: string; parameters: { assignments: { assignments: Array<{ name: string; value: unknown }> } } };

/** What an owner does in the editor: change values in a Set (settings) node. */
export function setSettings(workflow: WorkflowJson, nodeName: string, values: Record<string, string | number | boolean>): void {
	const node = (workflow.nodes as unknown as SettingsNode[]).find((n) => n.name === nodeName);
	if (!node) throw new Error(`no node ${nodeName}`);
	for (const [name, value] of Object.entries(values)) {
		const assignment = node.parameters.assignments.assignments.find((a) => a.name === name);
		if (!assignment) throw new Error(`no setting ${name} in ${nodeName}`);
		assignment.value = value;
	}
}

/** Points the shipped placeholders for these credential types at a test's own credentials (deployWorkflow swaps only the WhatsApp one). */
export function withCredentials<T extends WorkflowJson>(workflow: T, credentials: Record<string, CredentialRef>): T {
	for (const node of workflow.nodes as Array<{ credentials?: Record<string, CredentialRef> }>) {
		for (const [type, ref] of Object.entries(credentials)) if (node.credentials?.[type]) node.credentials[type] = ref;
	}
	return workflow;
}

/**
 * workflows/journey-recovery.json deployed as docs/recovery.md sets it up (its credential, this
 * n8n's public API, the journey workflow ids), with only configuration compressed for a test:
 * `minAgeMinutes` (it replays only crashes older than that; keep it above the journeys'
 * `claimLeaseMinutes`) and the schedule (production: every 5 minutes).
 */
export async function deployJourneyRecovery(
	n8n: N8nApi,
	tenant: Tenant,
	opts: {
		credential: CredentialRef;
		apiBaseUrl: string;
		journeyWorkflowIds: string[];
		/** Post-Stay Review and Upsell (started without waiting): its own runs are replayed too. */
		detachedJourneyWorkflowIds?: string[];
		minAgeMinutes: number;
		everySeconds: number;
		maxAttempts?: number;
	},
): Promise<{ id: string }> {
	const recovery = withCredentials(loadWorkflow('journey-recovery.json'), { n8nApi: opts.credential });
	setSettings(recovery, 'Recovery Settings', {
		apiBaseUrl: opts.apiBaseUrl,
		journeyWorkflowIds: opts.journeyWorkflowIds.join(','),
		detachedJourneyWorkflowIds: (opts.detachedJourneyWorkflowIds ?? []).join(','),
		minAgeMinutes: opts.minAgeMinutes,
		maxAttempts: opts.maxAttempts ?? 3,
	});
	const { id } = await deployWorkflow(n8n, tenant, recovery, {
		'Every 5 Minutes': { rule: { interval: [{ field: 'seconds', secondsInterval: opts.everySeconds }] } },
	});
	return { id };
}
