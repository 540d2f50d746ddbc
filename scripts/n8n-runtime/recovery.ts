/**
 * What workflows/journey-recovery.json needs from the n8n it runs in (docs/recovery.md, Setup 1–2):
 * an n8n API key and an **n8n API** credential holding it. Used by the sandbox (scripts/demo), the
 * recovery e2e test and the restart scenario of `npm run reliability`.
 */
import type { N8nApi } from './index';

/** The credential name the shipped workflow refers to. */
export const RECOVERY_CREDENTIAL_NAME = 'n8n API (journey recovery)';

/** Public API scopes the recovery uses (list crashed executions, read, retry). */
export const RECOVERY_API_SCOPES = ['execution:list', 'execution:read', 'execution:retry'];

export interface RecoveryCredential {
	/** The raw API key (n8n shows it once). */
	apiKey: string;
	/** The n8n API credential, as a node's credential reference. */
	id: string;
	name: string;
}

/**
 * Creates an API key for the owner and an n8n API credential with it. `apiBaseUrl` is how that n8n
 * reaches its own public API (`<n8n>/api/v1`).
 */
export async function createRecoveryCredential(
	api: N8nApi,
	opts: { apiBaseUrl: string; label?: string; credentialName?: string },
): Promise<RecoveryCredential> {
	// n8n 2.40.7: POST /rest/api-keys (n8n/dist/controllers/api-keys.controller.js createApiKey) answers the key once, as rawApiKey.
	const key = await api.request<{ rawApiKey: string }>('POST', '/rest/api-keys', {
		label: opts.label ?? 'journey recovery',
		scopes: RECOVERY_API_SCOPES,
		expiresAt: null,
	});
	if (!key.rawApiKey) throw new Error('n8n answered no rawApiKey for POST /rest/api-keys');
	const name = opts.credentialName ?? RECOVERY_CREDENTIAL_NAME;
	const id = await api.createCredential('n8nApi', name, { apiKey: key.rawApiKey, baseUrl: opts.apiBaseUrl });
	return { apiKey: key.rawApiKey, id, name };
}

/** An execution as n8n's public API lists it (GET /api/v1/executions). */
export interface PublicExecution {
	id: string;
	status: string;
	mode: string;
	retryOf: string | null;
	retrySuccessId: string | null;
	workflowId: string;
	startedAt?: string | null;
	stoppedAt?: string | null;
}

/** Every execution of a workflow through the public API with the recovery's key (what the workflow sees), all pages. */
export async function publicExecutions(n8nBaseUrl: string, apiKey: string, workflowId: string, status?: string): Promise<PublicExecution[]> {
	const out: PublicExecution[] = [];
	for (let cursor: string | null = null; ; ) {
		const q = new URLSearchParams({ workflowId, limit: '250', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
		const response = await fetch(`${n8nBaseUrl}/api/v1/executions?${q.toString()}`, { headers: { 'X-N8N-API-KEY': apiKey }, signal: AbortSignal.timeout(60_000) });
		const text = await response.text();
		if (response.status !== 200) throw new Error(`GET /api/v1/executions -> ${response.status} ${text.slice(0, 300)}`);
		const page = JSON.parse(text) as { data: PublicExecution[]; nextCursor: string | null };
		out.push(...page.data);
		cursor = page.nextCursor;
		if (!cursor) return out;
	}
}

/** Counts by a key (e.g. executions by status). */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
	return items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});
}
