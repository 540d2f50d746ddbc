/**
 * Invariants of the shipped workflows that n8n would not flag on import but that the journey
 * store depends on (docs/journey-store.md).
 */
import { readdirSync, readFileSync } from 'fs';
import path from 'path';

import { CLAIMS, DEFAULT_CLAIM_LEASE_MINUTES, takeOverConditions, type ClaimName } from '../../lib/journey/lease';
import { RESORT_TABLES } from '../../scripts/n8n-runtime/dataTables';

const dir = path.join(__dirname, '..', '..', 'workflows');
const workflows = readdirSync(dir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, json: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: Array<Record<string, any>> } }));

const dataTableNodes = workflows.flatMap(({ file, json }) =>
	json.nodes.filter((node) => node.type === 'n8n-nodes-base.dataTable').map((node) => ({ file, node })),
);

test('the shipped workflows use Data table nodes', () => {
	expect(dataTableNodes.length).toBeGreaterThan(20);
});

test.each(dataTableNodes.map(({ file, node }) => [`${file}: ${node.name}`, node]))(
	'%s retries storage failures and, when it filters, matches all conditions',
	(_label, node) => {
		expect({ retryOnFail: node.retryOnFail, maxTries: node.maxTries }).toEqual({ retryOnFail: true, maxTries: 3 });
		// n8n's default is "Any Condition": a claim would then match other bookings' rows.
		if (node.parameters.filters) expect(node.parameters.matchType).toBe('allConditions');
	},
);

test('every workflow node that talks to WhatsApp or a booking platform names its credential', () => {
	for (const { file, json } of workflows) {
		for (const node of json.nodes) {
			if (!String(node.type).startsWith('n8n-nodes-resort-whatsapp.')) continue;
			if (['guestIntent', 'accommodationCatalog', 'resortAnalytics'].some((name) => node.type.endsWith(`.${name}`))) continue;
			expect({ file, node: node.name, credentials: Object.keys(node.credentials ?? {}).length > 0 }).toEqual({
				file,
				node: node.name,
				credentials: true,
			});
		}
	}
});

test('every Execute Workflow node names a shipped workflow (the demo and owners link sub-workflows by that name)', () => {
	const names = new Set(workflows.map(({ json }) => (json as { name?: string }).name));
	const calls = workflows.flatMap(({ file, json }) =>
		json.nodes.filter((node) => node.type === 'n8n-nodes-base.executeWorkflow').map((node) => ({ file, node })),
	);
	expect(calls.map(({ node }) => node.name)).toEqual(expect.arrayContaining(['Confirm Reservation', 'Post-Stay Review']));
	for (const { file, node } of calls) {
		const target = node.parameters.workflowId?.cachedResultName;
		expect({ file, node: node.name, known: names.has(target) }).toEqual({ file, node: node.name, known: true });
	}
});

test('post-stay timings are Wait-node parameters an owner can edit; the reply wait is a webhook wait with a limit', () => {
	const postStay = workflows.find(({ file }) => file === 'post-stay-review-upsell.json')!.json;
	const node = (name: string) => postStay.nodes.find((n) => n.name === name)!;
	expect(node('Wait Before Review').parameters).toMatchObject({ resume: 'timeInterval', amount: 2, unit: 'days' });
	expect(node('Wait for Reply').parameters).toMatchObject({
		resume: 'webhook',
		httpMethod: 'POST',
		limitWaitTime: true,
		limitType: 'afterTimeInterval',
		resumeAmount: 1,
		resumeUnit: 'days',
	});
	// The resume URL the reply calls is stored before the execution parks in Wait for Reply.
	expect(node('Record Review').parameters.columns.value.reviewResumeUrl).toBe('={{ $execution.resumeUrl }}');
});

const eventRecorders = dataTableNodes.filter(({ node }) => node.parameters.dataTableId?.value === 'resort_events' && node.parameters.operation === 'insert');

test('the journey workflows record analytics events (docs/analytics.md)', () => {
	const files = new Set(eventRecorders.map(({ file }) => file));
	expect([...files].sort()).toEqual(['booking-abandonment.json', 'first-contact.json', 'post-stay-review-upsell.json', 'reservation-confirmation.json', 'tracked-links.json']);
});

test.each(eventRecorders.map(({ file, node }) => [`${file}: ${node.name}`, node]))(
	'%s: never stops the workflow, writes only resort_events columns, never a phone',
	(_label, node) => {
		// A failed insert must not stop a guest message.
		expect(node.onError).toBe('continueRegularOutput');
		const columns = new Set(RESORT_TABLES.resort_events.map((c) => c.name));
		const values = node.parameters.columns.value as Record<string, string>;
		for (const key of Object.keys(values)) expect(columns.has(key)).toBe(true);
		expect(values.type).toBeTruthy();
		// The send node's `recipient` is a masked phone; triggers carry encrypted and masked numbers.
		expect(JSON.stringify(values)).not.toMatch(/recipient(?!IdLookupKey)|\.phone\.(masked|encrypted)|\$json\.from\b|ownerPhone/);
	},
);

test('booking-abandonment: extra_purchased is recorded (conversion + stage upsold), sends nothing; other events still go to post-stay', () => {
	const abandonment = workflows.find(({ file }) => file === 'booking-abandonment.json')!.json as { nodes: Array<Record<string, any>>; connections: Record<string, any> };
	const route = abandonment.nodes.find((n) => n.name === 'Route by Type')!;
	const keys = route.parameters.rules.values.map((r: any) => [r.outputKey, r.conditions.conditions[0].rightValue]);
	expect(keys).toEqual([
		['Started', 'booking_started'],
		['Abandoned', 'booking_abandoned'],
		['Confirmed', 'reservation_confirmed'],
		['Cancelled', 'reservation_cancelled'],
		['Extra Purchased', 'extra_purchased'],
	]);
	expect(route.parameters.options).toMatchObject({ fallbackOutput: 'extra', renameFallbackOutput: 'Other Events' });
	const targets = (from: string) =>
		(abandonment.connections[from]?.main ?? []).map((output: Array<{ node: string }> | null) => (output ?? []).map((c) => c.node).sort());
	const outputs = targets('Route by Type');
	expect(outputs).toHaveLength(6); // five rules + Other Events
	expect(outputs[4]).toEqual(['Record Booking Webhook', 'Record Extra Conversion']);
	expect(outputs[5]).toEqual(['Post-Stay Review', 'Record Booking Webhook']);
	expect(targets('Record Extra Conversion')).toEqual([['Record Stage Upsold']]);
	const values = (name: string) => abandonment.nodes.find((n) => n.name === name)!.parameters.columns.value;
	expect(values('Record Extra Conversion')).toMatchObject({ type: 'conversion', stage: 'upsold', amount: expect.stringContaining('amount.value'), currency: expect.stringContaining('amount.currency') });
	expect(values('Record Stage Upsold')).toMatchObject({ type: 'stage_changed', stage: 'upsold' });
	// No send node anywhere downstream of an extra bought.
	const seen = new Set<string>();
	const walk = (name: string) => {
		if (seen.has(name)) return;
		seen.add(name);
		for (const output of targets(name)) for (const next of output) walk(next);
	};
	for (const next of outputs[4]) walk(next);
	const kinds = [...seen].map((name) => abandonment.nodes.find((n) => n.name === name)!.type);
	expect(kinds.every((type) => type === 'n8n-nodes-base.dataTable')).toBe(true);
});

test('the analytics dashboard is served behind authentication', () => {
	const dashboard = workflows.find(({ file }) => file === 'analytics-dashboard.json')!.json;
	const webhook = dashboard.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
	expect(webhook.parameters.authentication).toBe('basicAuth');
	expect(Object.keys(webhook.credentials ?? {})).toEqual(['httpBasicAuth']);
});

test.each([1, 2] as const)('booking-abandonment: Reminder %i claims carry their time and an abandoned claim is taken over by the lease rule', (slot) => {
	const abandonment = workflows.find(({ file }) => file === 'booking-abandonment.json')!.json as { nodes: Array<Record<string, any>>; connections: Record<string, any> };
	const node = (name: string) => abandonment.nodes.find((n) => n.name === name)!;
	const column = `reminder${slot}ClaimedAt`;
	expect(RESORT_TABLES.resort_journeys.find((c) => c.name === column)?.type).toBe('date');
	// Every claim and reclaim (after a quiet-hours park) stamps the time the lease runs from.
	for (const name of [`Claim Reminder ${slot}`, `Reclaim Reminder ${slot}`, `Take Over Reminder ${slot}`]) {
		expect(node(name).parameters.columns.value[column]).toBe('={{ $now.toISO() }}');
	}
	const takeOver = node(`Take Over Reminder ${slot}`);
	const conditions = takeOver.parameters.filters.conditions as Array<{ keyValue?: string }>;
	expect(conditions).toEqual(takeOverConditions(slot, "={{ $('Journey').item.json.bookingId }}", conditions[4].keyValue!));
	expect(conditions[4].keyValue).toContain("$('Settings').item.json.claimLeaseMinutes");
	expect(takeOver).toMatchObject({ alwaysOutputData: true, executeOnce: true });
	// Not claimed → try the take-over; taken over → the same checks and send as a fresh claim.
	const targets = (name: string) => (abandonment.connections[name].main as Array<Array<{ node: string }>>).map((branch) => branch.map((c) => c.node));
	expect(targets(`Reminder ${slot} Claimed?`)[1]).toEqual([`Take Over Reminder ${slot}`]);
	expect(targets(`Take Over Reminder ${slot}`)).toEqual([[`Reminder ${slot} Taken Over?`]]);
	expect(targets(`Reminder ${slot} Taken Over?`)[0]).toEqual(targets(`Reminder ${slot} Claimed?`)[0]);
	expect(targets(`Reminder ${slot} Taken Over?`)[0]).toEqual([`Check Journey for Reminder ${slot}`]);
	const settings = node('Settings').parameters.assignments.assignments as Array<{ name: string; value: unknown }>;
	expect(settings.find((a) => a.name === 'claimLeaseMinutes')?.value).toBe(DEFAULT_CLAIM_LEASE_MINUTES);
});

// The confirmation, the review and the upsell have the same lease as the reminders (issue #9).
const LEASED: Array<{ claim: ClaimName; label: string; settings: string; booking: string; claimNode: string; claimedIf: string; record: string; already: string; send: string; wait: string; next: string[] }> = [
	{
		claim: 'confirmation',
		label: 'Confirmation',
		settings: 'Confirmation Settings',
		booking: "={{ $('When Booking Abandonment Calls').item.json.bookingId }}",
		claimNode: 'Mark Converted',
		claimedIf: 'Converted Now?',
		record: 'Record Confirmation',
		already: 'Already Confirmed',
		send: 'Send Confirmation',
		wait: 'Wait Until Confirmation Allowed',
		next: ['Send Confirmation'],
	},
	{
		claim: 'review',
		label: 'Review',
		settings: 'Post-Stay Settings',
		booking: "={{ $('Post-Stay Settings').first().json.bookingId }}",
		claimNode: 'Claim Review',
		claimedIf: 'Review Claimed?',
		record: 'Record Review',
		already: 'Review Already Handled',
		send: 'Send Review',
		wait: 'Wait Until Review Allowed',
		next: ['Send Review'],
	},
	{
		claim: 'upsell',
		label: 'Upsell',
		settings: 'Post-Stay Settings',
		booking: "={{ $('Post-Stay Settings').first().json.bookingId }}",
		claimNode: 'Claim Upsell',
		claimedIf: 'Upsell Claimed?',
		record: 'Record Upsell',
		already: 'Upsell Already Handled',
		send: 'Send Upsell',
		wait: 'Wait Until Upsell Allowed',
		next: ['Find Guest for Upsell'],
	},
];

test('a review recorded from its status: one replay adopts its reply wait (and the upsell after it) instead of sending it again', () => {
	const wf = workflows.find(({ file }) => file === 'post-stay-review-upsell.json')!.json as { nodes: Array<Record<string, any>>; connections: Record<string, any> };
	const node = (name: string) => wf.nodes.find((n) => n.name === name)!;
	const targets = (name: string) => (wf.connections[name].main as Array<Array<{ node: string }>>).map((branch) => branch.map((x) => x.node).sort());
	const booking = "={{ $('Post-Stay Settings').first().json.bookingId }}";
	const adopt = node('Adopt Review Wait');
	// Only a review that was sent (status recorded: asked, message id) and that no run waits for (no resume URL).
	expect(adopt.parameters.filters.conditions).toEqual([
		{ keyName: 'bookingId', condition: 'eq', keyValue: booking },
		{ keyName: 'reviewStatus', condition: 'eq', keyValue: CLAIMS.review.recordedStatus.value },
		{ keyName: 'reviewMessageId', condition: 'isNotEmpty' },
		{ keyName: 'reviewResumeUrl', condition: 'isEmpty' },
		{ keyName: 'stage', condition: 'neq', keyValue: 'cancelled' },
	]);
	expect(adopt.parameters.columns.value).toEqual({ reviewResumeUrl: node('Record Review').parameters.columns.value.reviewResumeUrl });
	expect(adopt).toMatchObject({ alwaysOutputData: true, executeOnce: true, parameters: { matchType: 'allConditions' } });
	expect(targets('Adopt Review Wait')).toEqual([['Review Wait Adopted?']]);
	expect(targets('Review Wait Adopted?')).toEqual([['Answered Meanwhile?'], ['Review Already Handled']]);
	// An answer First Contact stored while no run waited closes the review at once; otherwise the adopted run waits.
	expect(targets('Answered Meanwhile?')).toEqual([['Close Review'], ['Wait for Reply']]);
	expect(targets('Record Review')).toEqual([['Wait for Reply']]);
	expect(node('Close Review').parameters.columns.value.reviewStatus).toContain('$json.reviewAnsweredAt');
});

test.each(LEASED.map((c) => [c.label, c]))('%s: the claim is in flight with its time until an outcome, and an abandoned claim is taken over by the lease rule', (_label, c) => {
	const spec = CLAIMS[c.claim];
	const wf = workflows.find(({ file }) => file === spec.workflow)!.json as { nodes: Array<Record<string, any>>; connections: Record<string, any> };
	const node = (name: string) => {
		const found = wf.nodes.find((n) => n.name === name);
		if (!found) throw new Error(`${spec.workflow}: no node ${name}`);
		return found;
	};
	const targets = (name: string) => (wf.connections[name].main as Array<Array<{ node: string }>>).map((branch) => branch.map((x) => x.node).sort());
	for (const column of [spec.inFlightColumn, spec.claimedAtColumn]) expect(RESORT_TABLES.resort_journeys.find((x) => x.name === column)?.type).toBe(column === spec.inFlightColumn ? 'boolean' : 'date');

	// Claim and re-claim (after a deferral) set in flight and stamp the time; take-over renews the time.
	for (const name of [c.claimNode, `Reclaim ${c.label}`]) {
		expect(node(name).parameters.columns.value).toMatchObject({ [spec.inFlightColumn]: true, [spec.claimedAtColumn]: '={{ $now.toISO() }}' });
	}
	expect(node(`Take Over ${c.label}`).parameters.columns.value).toEqual({ [spec.claimedAtColumn]: '={{ $now.toISO() }}' });
	// Every outcome clears in flight: recorded, failed (review queue), parked for a deferral.
	for (const name of [c.record, `Release ${c.label}`, `Park ${c.label}`]) expect(node(name).parameters.columns.value[spec.inFlightColumn]).toBe(false);
	expect(targets(c.send)[0]).toContain(c.record);
	expect(targets(c.send)[1]).toContain(`Release ${c.label}`);
	expect(targets(c.send)[2]).toEqual([`Park ${c.label}`]);
	expect(targets(`Park ${c.label}`)).toEqual([[c.wait]]);
	expect(targets(c.wait)).toEqual([[`Reclaim ${c.label}`]]);
	expect(targets(`Reclaim ${c.label}`)).toEqual([c.next]);
	expect(node(c.wait).parameters.dateTime).toBe(`={{ $('${c.send}').item.json.sendAt }}`);

	const takeOver = node(`Take Over ${c.label}`);
	const conditions = takeOver.parameters.filters.conditions as Array<{ keyValue?: string }>;
	expect(conditions).toEqual(takeOverConditions(c.claim, c.booking, conditions[4].keyValue!));
	expect(conditions[4].keyValue).toContain(`$('${c.settings}').first().json.claimLeaseMinutes`);
	expect(takeOver).toMatchObject({ alwaysOutputData: true, executeOnce: true, parameters: { matchType: 'allConditions' } });
	// Not claimed → try the take-over; taken over → the same path as a fresh claim; else "already handled".
	expect(targets(c.claimedIf)[1]).toEqual([`Take Over ${c.label}`]);
	expect(targets(`Take Over ${c.label}`)).toEqual([[`${c.label} Taken Over?`]]);
	expect(targets(`${c.label} Taken Over?`)[0]).toEqual(targets(c.claimedIf)[0]);
	// Not taken over: handled, except a review recorded from its status, whose reply wait is adopted (below).
	expect(targets(`${c.label} Taken Over?`)[1]).toEqual([c.claim === 'review' ? 'Adopt Review Wait' : c.already]);
	const settings = node(c.settings).parameters.assignments.assignments as Array<{ name: string; value: unknown }>;
	expect(settings.find((a) => a.name === 'claimLeaseMinutes')?.value).toBe(DEFAULT_CLAIM_LEASE_MINUTES);
	// Owners read about it on the canvas.
	const notes = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map((n) => String(n.parameters.content));
	expect(notes.some((text) => text.includes('claimLeaseMinutes') && text.includes(`Take Over ${c.label}`))).toBe(true);
});
