/**
 * One-off (idempotent) edit of the shipped workflows: adds the nodes that record analytics events
 * into the `resort_events` Data table (docs/analytics.md, "Who records what"). Run with
 * `node scripts/analytics/addRecording.js`; it removes the nodes it added before and adds them again.
 */
const { createHash } = require('crypto');
const { readFileSync, writeFileSync } = require('fs');
const path = require('path');

const dir = path.join(__dirname, '..', '..', 'workflows');
const TAG = 'analytics';

const COLUMNS = {
	type: 'string',
	at: 'dateTime',
	guestKey: 'string',
	bookingId: 'string',
	messageId: 'string',
	template: 'string',
	language: 'string',
	stage: 'string',
	reason: 'string',
	httpStatus: 'number',
	errorCode: 'string',
	amount: 'number',
	currency: 'string',
	latencyMs: 'number',
	retries: 'number',
	fallback: 'boolean',
	source: 'string',
};

const uuid = (file, name) => {
	const h = createHash('sha1').update(`${TAG}:${file}:${name}`).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

function recorder(file, name, position, values) {
	const used = Object.keys(values);
	for (const key of used) if (!COLUMNS[key]) throw new Error(`${name}: no column ${key}`);
	return {
		id: uuid(file, name),
		name,
		type: 'n8n-nodes-base.dataTable',
		typeVersion: 1.1,
		position,
		parameters: {
			resource: 'row',
			operation: 'insert',
			dataTableId: { __rl: true, mode: 'name', value: 'resort_events' },
			columns: {
				mappingMode: 'defineBelow',
				value: { at: '={{ $now.toISO() }}', ...values },
				matchingColumns: [],
				schema: Object.entries(COLUMNS).map(([id, type]) => ({
					id,
					displayName: id,
					required: false,
					defaultMatch: false,
					display: true,
					type,
					canBeUsedToMatch: true,
				})),
				attemptToConvertTypes: false,
				convertFieldsToString: false,
			},
			options: {},
		},
		// Recording never stops a guest message: a failed insert is retried, then skipped.
		retryOnFail: true,
		maxTries: 3,
		waitBetweenTries: 1000,
		onError: 'continueRegularOutput',
		notes: 'Analytics: one row in resort_events (docs/analytics.md). Continues on error.',
		notesInFlow: false,
	};
}

/** Failed sends that reached the Cloud API (not policy blocks or invalid input: those are not attempts). */
function reachedWhatsApp(file, name, position) {
	return {
		id: uuid(file, name),
		name,
		type: 'n8n-nodes-base.filter',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
				conditions: [
					{
						id: uuid(file, `${name}:condition`),
						leftValue: "={{ !['policy', 'validation'].includes($json.errorDisposition) }}",
						rightValue: '',
						operator: { type: 'boolean', operation: 'true', singleValue: true },
					},
				],
				combinator: 'and',
			},
			options: {},
		},
	};
}

const stickyNote = (file, position, content, height = 240) => ({
	id: uuid(file, 'Note: Analytics'),
	name: 'Note: Analytics',
	type: 'n8n-nodes-base.stickyNote',
	typeVersion: 1,
	position,
	parameters: { content, height, width: 420 },
});

/** Send-node outputs → event fields (the node returns template, language, messageId, attempts, fallbackUsed). */
const sentFields = (context) => ({
	type: 'message_sent',
	messageId: '={{ $json.messageId }}',
	template: '={{ $json.template || null }}',
	language: '={{ $json.language || null }}',
	retries: '={{ Math.max(0, ($json.attempts || 1) - 1) }}',
	fallback: '={{ $json.fallbackUsed === true }}',
	...context,
});
const failedFields = (context) => ({
	type: 'message_failed',
	template: '={{ $json.template || null }}',
	language: '={{ $json.language || null }}',
	errorCode: "={{ $json.errorCode != null ? String($json.errorCode) : null }}",
	reason: "={{ String($json.errorDisposition || 'error') }}",
	httpStatus: '={{ $json.httpStatus || null }}',
	retries: '={{ Math.max(0, ($json.attempts || 1) - 1) }}',
	...context,
});

// ---------------------------------------------------------------------------

function edit(file, change) {
	const full = path.join(dir, file);
	const workflow = JSON.parse(readFileSync(full, 'utf8'));
	// What an earlier run added: its ids are derived from the file and the node name.
	const added = new Set(workflow.nodes.filter((n) => n.id === uuid(file, n.name)).map((n) => n.name));
	workflow.nodes = workflow.nodes.filter((n) => !added.has(n.name));
	for (const [from, outputs] of Object.entries(workflow.connections)) {
		if (added.has(from)) {
			delete workflow.connections[from];
			continue;
		}
		for (const list of Object.values(outputs)) {
			for (let i = 0; i < list.length; i += 1) list[i] = (list[i] ?? []).filter((c) => !added.has(c.node));
		}
	}
	const api = {
		node(n) {
			workflow.nodes.push(n);
			return n;
		},
		find(name) {
			const n = workflow.nodes.find((x) => x.name === name);
			if (!n) throw new Error(`${file}: no node ${name}`);
			return n;
		},
		connect(from, output, to) {
			api.find(from);
			api.find(to);
			const outs = (workflow.connections[from] ??= { main: [] }).main;
			while (outs.length <= output) outs.push([]);
			outs[output] = outs[output] ?? [];
			if (!outs[output].some((c) => c.node === to)) outs[output].push({ node: to, type: 'main', index: 0 });
		},
		at(name, dx, dy) {
			const [x, y] = api.find(name).position;
			return [x + dx, y + dy];
		},
		workflow,
	};
	change(api, file);
	writeFileSync(full, `${JSON.stringify(workflow, null, 2)}\n`);
}

// --- booking-abandonment ----------------------------------------------------
edit('booking-abandonment.json', (w, file) => {
	w.find('Booking Event').parameters.reportRefused = true;
	const guest = "={{ (($json.guest || {}).phone || {}).lookupKey || null }}";
	const received = {
		type: 'webhook_received',
		at: '={{ $json.receivedAt || $now.toISO() }}',
		bookingId: '={{ $json.bookingId || null }}',
		guestKey: guest,
		httpStatus: '={{ 202 }}',
		reason: "={{ $json.reviewReasons ? 'needs_review' : null }}",
		source: 'booking',
	};
	// Above the other branches: n8n (execution order v1) runs it first, before a Wait node parks the
	// execution (abandoned, started and checked-in events wait; nothing there is urgent).
	w.node(recorder(file, 'Record Booking Webhook', w.at('Route by Type', 220, -440), received));
	w.connect('Booking Event', 1, 'Record Booking Webhook');
	// Outputs: 0 Started, 1 Abandoned, 2 Confirmed, 3 Cancelled, 4 Extra Purchased, 5 Other Events.
	for (const output of [0, 1, 3, 4, 5]) w.connect('Route by Type', output, 'Record Booking Webhook');
	// A confirmation is the hot path: recorded right of Confirm Reservation (same height: n8n runs it after), so after the confirmation went out.
	w.node(recorder(file, 'Record Confirmed Webhook', w.at('Confirm Reservation', 220, 0), received));
	w.connect('Route by Type', 2, 'Record Confirmed Webhook');
	w.node(
		recorder(file, 'Record Booking Rejection', w.at('Booking Event', 220, 520), {
			type: 'webhook_rejected',
			at: '={{ $json.receivedAt || $now.toISO() }}',
			reason: "={{ String($json.reason || 'rejected') }}",
			httpStatus: '={{ Number($json.status) || null }}',
			source: 'booking',
		}),
	);
	w.connect('Booking Event', 2, 'Record Booking Rejection');
	w.connect('Booking Event', 3, 'Record Booking Rejection');
	w.node(
		recorder(file, 'Record Stage', w.at('Route by Type', 220, -260), {
			type: 'stage_changed',
			at: '={{ $json.receivedAt || $now.toISO() }}',
			stage: "={{ $json.type === 'booking_started' ? 'booking_started' : 'abandoned' }}",
			bookingId: '={{ $json.bookingId }}',
			guestKey: guest,
			source: 'booking-abandonment',
		}),
	);
	w.connect('Route by Type', 0, 'Record Stage');
	w.connect('Route by Type', 1, 'Record Stage');
	// An extra bought (extra_purchased): nothing is sent, the purchase is only recorded. The insert's
	// output is the inserted row, so both read the event from Route by Type.
	const bought = "$('Route by Type').item.json";
	const extra = {
		at: `={{ ${bought}.receivedAt || $now.toISO() }}`,
		bookingId: `={{ ${bought}.bookingId }}`,
		guestKey: `={{ ((${bought}.guest || {}).phone || {}).lookupKey || null }}`,
		source: 'booking-abandonment',
	};
	w.node(
		recorder(file, 'Record Extra Conversion', w.at('Route by Type', 220, 940), {
			type: 'conversion',
			// Marks the conversion as an extra, not a booking (a recovery counts bookings only).
			stage: 'upsold',
			amount: `={{ Number(${bought}.amount.value) }}`,
			currency: `={{ ${bought}.amount.currency }}`,
			...extra,
		}),
	);
	w.node(recorder(file, 'Record Stage Upsold', w.at('Route by Type', 440, 940), { type: 'stage_changed', stage: 'upsold', ...extra }));
	w.connect('Route by Type', 4, 'Record Extra Conversion');
	w.connect('Record Extra Conversion', 0, 'Record Stage Upsold');
	const extrasNote = stickyNote(
		file,
		w.at('Route by Type', 180, 1100),
		'## Extras bought (upsold)\n`extra_purchased` (the booking platform reports an extra bought: spa, dinner…, e.g. after the `upsell_offer`) sends the guest nothing. **Record Extra Conversion** adds a `conversion` row with its amount and currency (stage `upsold`), **Record Stage Upsold** the funnel stage `upsold`. Revenue per template credits the last message sent for the booking before it (usually `upsell_offer`). Redeliveries (same `eventId`) are dropped by the trigger.',
		220,
	);
	w.node({ ...extrasNote, id: uuid(file, 'Note: Extras'), name: 'Note: Extras' });

	const context = {
		bookingId: "={{ $('Journey').item.json.bookingId }}",
		guestKey: "={{ $('Journey').item.json.guest.phone.lookupKey }}",
		source: 'booking-abandonment',
	};
	w.node(recorder(file, 'Record Reminder Sent', w.at('Send Reminder 1', 220, -200), sentFields(context)));
	w.connect('Send Reminder 1', 0, 'Record Reminder Sent');
	w.connect('Send Reminder 2', 0, 'Record Reminder Sent');
	w.node(reachedWhatsApp(file, 'Reminder Reached WhatsApp?', w.at('Queue for Review', 0, 300)));
	w.node(recorder(file, 'Record Reminder Failed', w.at('Queue for Review', 220, 300), failedFields(context)));
	w.connect('Send Reminder 1', 1, 'Reminder Reached WhatsApp?');
	w.connect('Send Reminder 2', 1, 'Reminder Reached WhatsApp?');
	w.connect('Reminder Reached WhatsApp?', 0, 'Record Reminder Failed');
	w.node(
		stickyNote(
			file,
			w.at('Booking Event', -40, -520),
			'## Analytics\nThe **Record …** nodes add one row each to the `resort_events` Data table (docs/analytics.md): webhook received/rejected (the trigger\'s *Report Refused Requests* is on; a confirmation is recorded after Confirm Reservation, off its hot path), stage booking_started / abandoned, an extra bought (conversion + stage upsold), reminders sent / failed. They continue on error: a failed insert never stops a guest message. Guests appear only as `guestKey`.',
		),
	);
});

// --- reservation-confirmation --------------------------------------------------
edit('reservation-confirmation.json', (w, file) => {
	const caller = "$('When Booking Abandonment Calls').item.json";
	const context = {
		bookingId: `={{ ${caller}.bookingId }}`,
		guestKey: `={{ ${caller}.guest.phone.lookupKey }}`,
		source: 'reservation-confirmation',
	};
	// Right after the send (above Record Confirmation, so first): latency = booking webhook → Cloud API
	// answer, unless the send was deferred to the guest's daytime (then it measures the policy, not us).
	w.node(
		recorder(file, 'Record Confirmation Sent', w.at('Send Confirmation', 220, -260), {
			...sentFields(context),
			latencyMs: `={{ $('Wait Until Confirmation Allowed').isExecuted || !${caller}.receivedAt ? null : Math.max(0, $now.toMillis() - DateTime.fromISO(${caller}.receivedAt).toMillis()) }}`,
		}),
	);
	w.connect('Send Confirmation', 0, 'Record Confirmation Sent');
	w.node(reachedWhatsApp(file, 'Confirmation Reached WhatsApp?', w.at('Queue for Review', 0, 260)));
	w.node(recorder(file, 'Record Confirmation Failed', w.at('Queue for Review', 220, 260), failedFields(context)));
	w.connect('Send Confirmation', 1, 'Confirmation Reached WhatsApp?');
	w.connect('Confirmation Reached WhatsApp?', 0, 'Record Confirmation Failed');
	// Below the send branch: n8n runs these after the confirmation went out (execution order v1).
	const conversionAt = `={{ ${caller}.receivedAt || $now.toISO() }}`;
	w.node(
		recorder(file, 'Record Conversion', w.at('Converted Now?', 220, 520), {
			type: 'conversion',
			at: conversionAt,
			amount: `={{ ${caller}.amount ? Number(${caller}.amount.value) : null }}`,
			currency: `={{ ${caller}.amount ? ${caller}.amount.currency : null }}`,
			...context,
		}),
	);
	w.node(
		recorder(file, 'Record Stage Confirmed', w.at('Converted Now?', 440, 520), {
			type: 'stage_changed',
			at: conversionAt,
			stage: 'confirmed',
			...context,
		}),
	);
	w.connect('Converted Now?', 0, 'Record Conversion');
	w.connect('Record Conversion', 0, 'Record Stage Confirmed');
	w.node(
		stickyNote(
			file,
			w.at('Converted Now?', 0, 760),
			'## Analytics\nOnce per booking (only when **Converted Now?**): a `conversion` row with amount and currency and the stage `confirmed`, recorded after the confirmation is sent. **Record Confirmation Sent** keeps the latency webhook → WhatsApp. All continue on error.',
			200,
		),
	);
});

// --- post-stay-review-upsell ----------------------------------------------------
edit('post-stay-review-upsell.json', (w, file) => {
	const settings = "$('Post-Stay Settings').first().json";
	const context = {
		bookingId: `={{ ${settings}.bookingId }}`,
		guestKey: `={{ ${settings}.guest.phone.lookupKey }}`,
		source: 'post-stay-review-upsell',
	};
	w.node(recorder(file, 'Record Message Sent', w.at('Send Review', 220, -320), sentFields(context)));
	w.connect('Send Review', 0, 'Record Message Sent');
	w.connect('Send Upsell', 0, 'Record Message Sent');
	w.node(reachedWhatsApp(file, 'Reached WhatsApp?', w.at('Queue for Review', 0, 260)));
	w.node(recorder(file, 'Record Send Failed', w.at('Queue for Review', 220, 260), failedFields(context)));
	w.connect('Send Review', 1, 'Reached WhatsApp?');
	w.connect('Send Upsell', 1, 'Reached WhatsApp?');
	w.connect('Reached WhatsApp?', 0, 'Record Send Failed');
});

// --- first-contact --------------------------------------------------------------
edit('first-contact.json', (w, file) => {
	const trigger = w.find('Guest Writes');
	trigger.parameters = { ...trigger.parameters, events: ['message', 'status', 'rejected'], statusTypes: ['delivered', 'read', 'failed'] };
	// Everything but the trigger moves right to make room for the kind switch.
	const byKind = 'Route by Kind';
	if (w.find('Settings').position[0] === 220) for (const n of w.workflow.nodes) if (n.name !== 'Guest Writes' && n.position[0] >= 220) n.position = [n.position[0] + 220, n.position[1]];
	w.node({
		id: uuid(file, byKind),
		name: byKind,
		type: 'n8n-nodes-base.switch',
		typeVersion: 3.2,
		position: w.at('Guest Writes', 220, 0),
		parameters: {
			rules: {
				values: [
					['Guest Message', "={{ $json.kind === 'message' }}"],
					['Status', "={{ $json.kind === 'status' && ['delivered', 'read', 'failed'].includes($json.status) }}"],
					['Refused Request', "={{ $json.kind === 'rejected' }}"],
				].map(([key, expression], i) => ({
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							{ id: uuid(file, `${byKind}:${i}`), leftValue: expression, rightValue: '', operator: { type: 'boolean', operation: 'true', singleValue: true } },
						],
						combinator: 'and',
					},
					renameOutput: true,
					outputKey: key,
				})),
			},
			options: {},
		},
	});
	// The trigger's connection to Settings now goes through the switch (a rerun restores it first).
	w.workflow.connections['Guest Writes'] = { main: [[{ node: byKind, type: 'main', index: 0 }]] };
	w.connect(byKind, 0, 'Settings');
	w.node(
		recorder(file, 'Record Status', w.at('Guest Writes', 440, 400), {
			type: "={{ 'message_' + $json.status }}",
			at: '={{ $json.timestamp || $now.toISO() }}',
			messageId: '={{ $json.wamid }}',
			guestKey: '={{ $json.recipientIdLookupKey || null }}',
			errorCode: '={{ $json.errorCode != null ? String($json.errorCode) : null }}',
			reason: '={{ $json.errorTitle || null }}',
			source: 'whatsapp',
		}),
	);
	w.connect(byKind, 1, 'Record Status');
	w.node(
		recorder(file, 'Record Refused Request', w.at('Guest Writes', 440, 600), {
			type: 'webhook_rejected',
			at: '={{ $json.receivedAt || $now.toISO() }}',
			reason: "={{ String($json.reason || 'rejected') }}",
			httpStatus: '={{ Number($json.httpStatus) || null }}',
			source: 'whatsapp',
		}),
	);
	w.connect(byKind, 2, 'Record Refused Request');

	const guestKey = "={{ $('Message').item.json.guestKey }}";
	// Lowest of Message's children: runs after the reply went out.
	w.node(
		recorder(file, 'Record WhatsApp Webhook', w.at('Message', 220, 1400), {
			type: 'webhook_received',
			at: "={{ $('Message').item.json.timestamp || $now.toISO() }}",
			guestKey,
			messageId: "={{ $('Message').item.json.wamid }}",
			httpStatus: '={{ 200 }}',
			source: 'whatsapp',
		}),
	);
	w.node(
		recorder(file, 'Record Guest Reply', w.at('Message', 440, 1400), {
			type: "={{ ['button', 'interactive'].includes($('Message').item.json.type) ? 'button_click' : 'guest_reply' }}",
			at: "={{ $('Message').item.json.timestamp || $now.toISO() }}",
			guestKey,
			messageId: "={{ $('Message').item.json.contextMessageId || null }}",
			source: 'first-contact',
		}),
	);
	w.connect('Message', 0, 'Record WhatsApp Webhook');
	w.connect('Record WhatsApp Webhook', 0, 'Record Guest Reply');

	const stage = (name, anchor, output, stageName, extra = {}) => {
		w.node(
			recorder(file, name, w.at(anchor, 220, 260), {
				type: 'stage_changed',
				stage: stageName,
				guestKey,
				source: 'first-contact',
				...extra,
			}),
		);
		w.connect(anchor, output, name);
	};
	stage('Record First Contact', 'First Contact?', 0, 'first_contact');
	stage('Record Qualified', 'Route by Intent', 2, 'qualified');
	w.find('Record Qualified').position = w.at('Route by Intent', 220, 700);
	stage('Record Reviewed', 'Review Answer?', 0, 'reviewed', { bookingId: "={{ $('Find Review Replied To').item.json.bookingId || null }}" });

	const context = { guestKey, source: 'first-contact' };
	const guestSends = ['Confirm Opt-out', 'Tell Guest a Person Will Answer', 'Send Suggestions', 'Send Welcome', 'Ask What They Are Looking For'];
	w.node(recorder(file, 'Record Message Sent', w.at('Send Suggestions', 440, -120), sentFields(context)));
	w.node(recorder(file, 'Record Suggestions Stage', w.at('Send Suggestions', 440, 60), { type: 'stage_changed', stage: 'suggestions', ...context }));
	w.node(reachedWhatsApp(file, 'Reached WhatsApp?', w.at('Queue for Review', 0, 240)));
	w.node(recorder(file, 'Record Send Failed', w.at('Queue for Review', 220, 240), failedFields(context)));
	for (const send of guestSends) {
		w.connect(send, 0, 'Record Message Sent');
		w.connect(send, 1, 'Reached WhatsApp?');
	}
	w.connect('Send Suggestions', 0, 'Record Suggestions Stage');
	w.connect('Reached WhatsApp?', 0, 'Record Send Failed');
	w.node(
		stickyNote(
			file,
			w.at('Guest Writes', -40, 820),
			'## Analytics\nThe trigger also takes **status updates** (delivered / read / failed with Meta\'s error code) and **refused requests** (reason, HTTP status); **Route by Kind** sends them to their **Record …** node. Guest messages, button taps, stages first_contact / qualified / suggestions / reviewed and the messages sent are recorded after the reply. One row each in `resort_events`; all continue on error.',
			260,
		),
	);
});
