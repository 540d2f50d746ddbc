/**
 * Provision and inspect n8n Data tables through the internal REST API (owner session cookie),
 * so scripts can create `resort_guests`, `resort_journeys`, `resort_review_queue` before
 * importing workflows that use the built-in Data table node (`n8n-nodes-base.dataTable`).
 *
 * Endpoints (n8n 2.40.7, n8n/dist/modules/data-table/data-table.controller.js, controller
 * prefix `/projects/:projectId/data-tables` under `/rest`):
 *   POST   /rest/projects/:projectId/data-tables                     { name, columns: [{ name, type }] }
 *   GET    /rest/projects/:projectId/data-tables?filter={"name":..}  -> { count, data }
 *   DELETE /rest/projects/:projectId/data-tables/:id
 *   GET    /rest/projects/:projectId/data-tables/:id/columns
 *   POST   /rest/projects/:projectId/data-tables/:id/columns         { name, type }
 *   GET    /rest/projects/:projectId/data-tables/:id/rows?skip&take&filter
 *   POST   /rest/projects/:projectId/data-tables/:id/insert          { data: [...], returnType }
 *   PATCH  /rest/projects/:projectId/data-tables/:id/rows            { filter, data, returnData }
 * Column types: 'string' | 'number' | 'boolean' | 'date'; column names /^[a-zA-Z][a-zA-Z0-9_]*$/,
 * not id/createdAt/updatedAt (system columns). There are no unique or NOT NULL constraints.
 *
 * A Data table node resolves tables in the *workflow's home project*, so tables must live in
 * the same project as the workflows (here: the owner's personal project).
 */
import type { N8nApi } from './index';

export type DataTableColumnType = 'string' | 'number' | 'boolean' | 'date';

export interface DataTableColumnSpec {
	name: string;
	type: DataTableColumnType;
}

export interface DataTableColumn extends DataTableColumnSpec {
	id: string;
	index: number;
}

export interface DataTable {
	id: string;
	name: string;
	projectId: string;
	columns: DataTableColumn[];
	createdAt?: string;
	updatedAt?: string;
	[k: string]: unknown;
}

export type DataTableRow = { id: number; createdAt: string; updatedAt: string } & Record<string, unknown>;

export interface RowFilter {
	type?: 'and' | 'or';
	filters: Array<{
		columnName: string;
		condition: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'isEmpty' | 'isNotEmpty';
		value?: string | number | boolean | null;
	}>;
}

const cachedProject = new WeakMap<N8nApi, string>();

/** The owner's personal project: where the owner's workflows live, so where their tables must be. */
export async function personalProjectId(api: N8nApi): Promise<string> {
	const cached = cachedProject.get(api);
	if (cached) return cached;
	const project = await api.request<{ id: string }>('GET', '/rest/projects/personal');
	cachedProject.set(api, project.id);
	return project.id;
}

function base(projectId: string): string {
	return `/rest/projects/${encodeURIComponent(projectId)}/data-tables`;
}

export async function listDataTables(
	api: N8nApi,
	opts: { projectId?: string; name?: string } = {},
): Promise<DataTable[]> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	const out: DataTable[] = [];
	for (let skip = 0; ; ) {
		const q = new URLSearchParams({ skip: String(skip), take: '100' });
		// The server filter is a case-insensitive substring match (LOWER(name) LIKE %x%).
		if (opts.name) q.set('filter', JSON.stringify({ name: opts.name }));
		const page = await api.request<{ count: number; data: DataTable[] }>('GET', `${base(projectId)}?${q.toString()}`);
		out.push(...page.data);
		skip += page.data.length;
		if (page.data.length === 0 || skip >= page.count) break;
	}
	// Exact name match only (the server's name filter is a substring match).
	return opts.name ? out.filter((t) => t.name === opts.name) : out;
}

export async function createDataTable(
	api: N8nApi,
	name: string,
	columns: DataTableColumnSpec[],
	opts: { projectId?: string } = {},
): Promise<DataTable> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	return await api.request<DataTable>('POST', base(projectId), { name, columns });
}

/**
 * Idempotent provisioning: returns the existing table of that name (adding missing columns), or
 * creates it. Column type changes are not possible in n8n (delete + add would lose data), so a
 * type mismatch throws.
 */
export async function ensureDataTable(
	api: N8nApi,
	name: string,
	columns: DataTableColumnSpec[],
	opts: { projectId?: string } = {},
): Promise<DataTable> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	const [existing] = await listDataTables(api, { projectId, name });
	if (!existing) return await createDataTable(api, name, columns, { projectId });
	const have = new Map((await getColumns(api, existing.id, { projectId })).map((c) => [c.name, c]));
	for (const col of columns) {
		const current = have.get(col.name);
		if (!current) {
			await api.request('POST', `${base(projectId)}/${existing.id}/columns`, col);
		} else if (current.type !== col.type) {
			throw new Error(`data table "${name}" column "${col.name}" is ${current.type}, expected ${col.type}`);
		}
	}
	return (await listDataTables(api, { projectId, name }))[0] ?? existing;
}

export async function getColumns(api: N8nApi, tableId: string, opts: { projectId?: string } = {}): Promise<DataTableColumn[]> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	return await api.request<DataTableColumn[]>('GET', `${base(projectId)}/${tableId}/columns`);
}

export async function deleteDataTable(api: N8nApi, tableId: string, opts: { projectId?: string } = {}): Promise<void> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	await api.request('DELETE', `${base(projectId)}/${tableId}`);
}

/** All rows of a table (paged), ordered by id. */
export async function rows(
	api: N8nApi,
	tableId: string,
	opts: { projectId?: string; filter?: RowFilter } = {},
): Promise<DataTableRow[]> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	const out: DataTableRow[] = [];
	for (let skip = 0; ; ) {
		const q = new URLSearchParams({ skip: String(skip), take: '500', sortBy: 'id:asc' });
		if (opts.filter) q.set('filter', JSON.stringify({ type: 'and', ...opts.filter }));
		const page = await api.request<{ count: number; data: DataTableRow[] }>(
			'GET',
			`${base(projectId)}/${tableId}/rows?${q.toString()}`,
		);
		out.push(...page.data);
		skip += page.data.length;
		if (page.data.length === 0 || skip >= page.count) break;
	}
	return out;
}

export async function insertRows(
	api: N8nApi,
	tableId: string,
	data: Array<Record<string, unknown>>,
	opts: { projectId?: string } = {},
): Promise<DataTableRow[]> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	return await api.request<DataTableRow[]>('POST', `${base(projectId)}/${tableId}/insert`, { data, returnType: 'all' });
}

/** Conditional update; returns the rows it changed (empty when nothing matched). */
export async function updateRows(
	api: N8nApi,
	tableId: string,
	filter: RowFilter,
	data: Record<string, unknown>,
	opts: { projectId?: string } = {},
): Promise<DataTableRow[]> {
	const projectId = opts.projectId ?? (await personalProjectId(api));
	return await api.request<DataTableRow[]>('PATCH', `${base(projectId)}/${tableId}/rows`, {
		filter: { type: 'and', ...filter },
		data,
		returnData: true,
	});
}

/**
 * Every Data table the shipped workflows use, with every column, in one place. The workflows
 * address tables by name, so names must not be substrings of each other (see journey-store.md).
 * Guests are keyed by `guestKey` (keyed lookup hash); a `phone` column only ever holds the masked
 * number, `phoneEncrypted` the AES-GCM token.
 */
export const RESORT_TABLES: Record<string, DataTableColumnSpec[]> = {
	// first-contact: one row per guest (opt-out, hand-over, last inbound for the 24 h window).
	resort_guests: [
		{ name: 'guestKey', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'optedOut', type: 'boolean' },
		{ name: 'automationPaused', type: 'boolean' },
		{ name: 'lastInboundAt', type: 'date' },
		{ name: 'language', type: 'string' },
		{ name: 'lastIntent', type: 'string' },
		{ name: 'lastTags', type: 'string' },
		{ name: 'firstMessageId', type: 'string' },
		{ name: 'clarifyAsked', type: 'boolean' },
	],
	// booking-abandonment, reservation-confirmation, post-stay-review-upsell: one row per booking.
	resort_journeys: [
		{ name: 'bookingId', type: 'string' },
		{ name: 'guestKey', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'phoneEncrypted', type: 'string' },
		{ name: 'guestName', type: 'string' },
		{ name: 'language', type: 'string' },
		{ name: 'accommodationId', type: 'string' },
		{ name: 'checkIn', type: 'string' },
		{ name: 'checkOut', type: 'string' },
		{ name: 'marketingConsent', type: 'boolean' },
		{ name: 'stage', type: 'string' },
		{ name: 'stageEventId', type: 'string' },
		{ name: 'reminderDueAt', type: 'date' },
		{ name: 'reminder1Sent', type: 'boolean' },
		{ name: 'reminder2Sent', type: 'boolean' },
		// Set by a reminder claim, cleared once that send has an outcome: a confirmation waits for it.
		{ name: 'reminderInFlight', type: 'boolean' },
		// When the reminder was claimed: a claim in flight, unrecorded and older than the lease was
		// left by an execution that died, and may be taken over (lib/journey/lease.ts).
		{ name: 'reminder1ClaimedAt', type: 'date' },
		{ name: 'reminder2ClaimedAt', type: 'date' },
		{ name: 'reminder1MessageId', type: 'string' },
		{ name: 'reminder1SentAt', type: 'date' },
		{ name: 'reminder2MessageId', type: 'string' },
		{ name: 'reminder2SentAt', type: 'date' },
		{ name: 'confirmationMessageId', type: 'string' },
		// The same lease for the confirmation, the review and the upsell (lib/journey/lease.ts CLAIMS):
		// in flight from the claim until the send has an outcome, and when it was claimed.
		{ name: 'confirmationInFlight', type: 'boolean' },
		{ name: 'confirmationClaimedAt', type: 'date' },
		{ name: 'amountValue', type: 'number' },
		{ name: 'amountCurrency', type: 'string' },
		{ name: 'convertedAt', type: 'date' },
		{ name: 'cancelledAt', type: 'date' },
		// Post-stay claims: reviewStatus (empty → claimed → asked → answered | no_answer), upsellStatus
		// (empty → claimed → sent); reviewResumeUrl is the waiting execution's resume URL (holds n8n's
		// resume token; cleared when the journey continues).
		{ name: 'reviewStatus', type: 'string' },
		{ name: 'reviewMessageId', type: 'string' },
		{ name: 'reviewSentAt', type: 'date' },
		{ name: 'reviewResumeUrl', type: 'string' },
		{ name: 'reviewAnswer', type: 'string' },
		{ name: 'reviewRating', type: 'string' },
		{ name: 'reviewAnsweredAt', type: 'date' },
		{ name: 'upsellStatus', type: 'string' },
		{ name: 'upsellMessageId', type: 'string' },
		{ name: 'upsellSentAt', type: 'date' },
		{ name: 'reviewInFlight', type: 'boolean' },
		{ name: 'reviewClaimedAt', type: 'date' },
		{ name: 'upsellInFlight', type: 'boolean' },
		{ name: 'upsellClaimedAt', type: 'date' },
	],
	// Failed sends and events that need a person.
	resort_review_queue: [
		{ name: 'bookingId', type: 'string' },
		{ name: 'guestKey', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'reason', type: 'string' },
		{ name: 'status', type: 'string' },
		{ name: 'source', type: 'string' },
		{ name: 'executionId', type: 'string' },
	],
	// Journey rows that failed an integrity check (Guest Privacy → Check Journey Record) before a send.
	resort_correction_queue: [
		{ name: 'bookingId', type: 'string' },
		{ name: 'rowId', type: 'number' },
		{ name: 'step', type: 'string' },
		{ name: 'problems', type: 'string' },
		{ name: 'detail', type: 'string' },
		{ name: 'guestKey', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'source', type: 'string' },
		{ name: 'status', type: 'string' },
		{ name: 'executionId', type: 'string' },
	],
	// workflows/journey-recovery.json: one row per crashed execution it acted on (replayed, refused,
	// given up); an execution listed here is never replayed again (docs/recovery.md).
	resort_recovery_log: [
		{ name: 'executionId', type: 'string' },
		{ name: 'workflowId', type: 'string' },
		{ name: 'original', type: 'string' },
		{ name: 'attempt', type: 'number' },
		{ name: 'status', type: 'string' },
		{ name: 'retryId', type: 'string' },
		{ name: 'retryStatus', type: 'string' },
		{ name: 'detail', type: 'string' },
		{ name: 'at', type: 'date' },
	],
	// One row per recorded event (lib/analytics/events.ts: analyticsEventSchema).
	resort_events: [
		{ name: 'type', type: 'string' },
		{ name: 'at', type: 'date' },
		{ name: 'guestKey', type: 'string' },
		{ name: 'bookingId', type: 'string' },
		{ name: 'messageId', type: 'string' },
		{ name: 'template', type: 'string' },
		{ name: 'language', type: 'string' },
		{ name: 'stage', type: 'string' },
		{ name: 'reason', type: 'string' },
		{ name: 'httpStatus', type: 'number' },
		{ name: 'errorCode', type: 'string' },
		{ name: 'amount', type: 'number' },
		{ name: 'currency', type: 'string' },
		{ name: 'latencyMs', type: 'number' },
		{ name: 'retries', type: 'number' },
		{ name: 'fallback', type: 'boolean' },
		{ name: 'source', type: 'string' },
	],
};

/** Creates every table in RESORT_TABLES, or adds the columns an existing one lacks (idempotent). Returns name → id. */
export async function provisionResortTables(api: N8nApi, opts: { projectId?: string } = {}): Promise<Record<string, string>> {
	const ids: Record<string, string> = {};
	for (const [name, columns] of Object.entries(RESORT_TABLES)) {
		ids[name] = (await ensureDataTable(api, name, columns, opts)).id;
	}
	return ids;
}
