import { readFileSync } from 'fs';
import path from 'path';

import {
	buildTemplateMessage,
	CALLBACK_DATA_MAX_LENGTH,
	CLAIMS,
	type ClaimSpec,
	deliverMessage,
	journeySendTag,
	journeySendTagPrefix,
	parseJourneySendTag,
	parseWhatsAppWebhook,
	PayloadValidationError,
	STATUS_RECORDED_CLAIMS,
	statusRecordConditions,
	statusRecordUpdate,
	withCallbackData,
} from '../../lib';

describe('journey send tags', () => {
	test('round-trip, including booking ids with colons', () => {
		for (const claim of Object.keys(CLAIMS) as Array<keyof typeof CLAIMS>) {
			expect(parseJourneySendTag(journeySendTag(claim, 'bk-1'))).toEqual({ claim, bookingId: 'bk-1' });
		}
		expect(parseJourneySendTag(journeySendTag('confirmation', 'pms:2026:77'))).toEqual({ claim: 'confirmation', bookingId: 'pms:2026:77' });
	});

	test('anything else is not a journey send', () => {
		for (const data of [undefined, 42, '', 'order-7', 'resort-journey/1:', 'resort-journey/1:confirmation', 'resort-journey/1:confirmation:', 'resort-journey/1:nope:bk-1', 'resort-journey/2:confirmation:bk-1']) {
			expect(parseJourneySendTag(data)).toBeUndefined();
		}
	});

	test('refuses what Meta would refuse or what cannot be parsed back', () => {
		expect(() => journeySendTag('confirmation', '  ')).toThrow(/booking id/);
		expect(() => journeySendTag('confirmation', 'x'.repeat(CALLBACK_DATA_MAX_LENGTH))).toThrow(/too long/);
	});

	test('a status records a claimed send: its message id, in-flight cleared, and the status its Record step sets', () => {
		expect(statusRecordUpdate({ claim: 'confirmation', bookingId: 'bk-1' }, 'sent', 'wamid.A')).toEqual({
			columns: { confirmationMessageId: 'wamid.A', confirmationInFlight: false },
			onlyIfEmpty: 'confirmationMessageId',
		});
		expect(statusRecordUpdate({ claim: 'reminder2', bookingId: 'bk-1' }, 'failed', 'wamid.B')?.columns).toEqual({ reminder2MessageId: 'wamid.B', reminderInFlight: false });
		expect(statusRecordUpdate({ claim: 'review', bookingId: 'bk-1' }, 'sent', 'wamid.C')?.columns).toEqual({ reviewMessageId: 'wamid.C', reviewInFlight: false, reviewStatus: 'asked' });
		expect(statusRecordUpdate({ claim: 'upsell', bookingId: 'bk-1' }, 'read', 'wamid.E')?.columns).toEqual({ upsellMessageId: 'wamid.E', upsellInFlight: false, upsellStatus: 'sent' });
		expect(statusRecordUpdate({ claim: 'confirmation', bookingId: 'bk-1' }, 'deleted', 'wamid.D')).toBeUndefined();
		expect(statusRecordUpdate({ claim: 'confirmation', bookingId: 'bk-1' }, 'sent', '')).toBeUndefined();
	});
});

describe('callback data on a send', () => {
	const template = () => buildTemplateMessage({ to: '+34 600 000 001', name: 'reservation_confirmation', language: 'en_US' });

	test('is added as biz_opaque_callback_data, within Meta\'s limit', () => {
		expect(withCallbackData(template(), 'resort-journey/1:confirmation:bk-1').biz_opaque_callback_data).toBe('resort-journey/1:confirmation:bk-1');
		expect(withCallbackData(template(), '')).toEqual(template());
		expect(() => withCallbackData(template(), 'x'.repeat(513))).toThrow(PayloadValidationError);
	});

	test('the template fallback carries the same tag', async () => {
		const posted: Array<Record<string, unknown>> = [];
		const result = await deliverMessage(
			withCallbackData(template(), 'resort-journey/1:confirmation:bk-1'),
			async (body) => {
				posted.push(body);
				if (posted.length === 1) return { ok: false, error: { code: 132001, message: 'Template name does not exist', httpStatus: 404 } } as never;
				return { ok: true, value: { messageId: 'wamid.F' } } as never;
			},
			{ policy: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 }, sleep: async () => undefined, fallback: { text: 'Your booking is confirmed.', to: '34600000001', callbackData: 'resort-journey/1:confirmation:bk-1' } },
		);
		expect(posted.map((b) => [b.type, b.biz_opaque_callback_data])).toEqual([
			['template', 'resort-journey/1:confirmation:bk-1'],
			['text', 'resort-journey/1:confirmation:bk-1'],
		]);
		expect(result.fallbackUsed).toBe(true);
	});
});

test('a status webhook hands the tag back as journeyClaim and journeyBookingId', () => {
	const status = (extra: Record<string, unknown>) => ({
		object: 'whatsapp_business_account',
		entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'pn', display_phone_number: '1' }, statuses: [{ id: 'wamid.S', status: 'sent', timestamp: '1764669600', recipient_id: '34600000001', ...extra }] } }] }],
	});
	const parsed = parseWhatsAppWebhook(status({ biz_opaque_callback_data: 'resort-journey/1:reminder1:bk-9' }));
	expect(parsed.ok && parsed.events[0]).toMatchObject({ kind: 'status', wamid: 'wamid.S', callbackData: 'resort-journey/1:reminder1:bk-9', journeyClaim: 'reminder1', journeyBookingId: 'bk-9' });
	const other = parseWhatsAppWebhook(status({ biz_opaque_callback_data: 'order-7' }));
	expect(other.ok && other.events[0]).toMatchObject({ callbackData: 'order-7' });
	expect(other.ok && other.events[0].journeyClaim).toBeUndefined();
});

describe('the shipped workflows', () => {
	const read = (file: string) => JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'workflows', file), 'utf8')) as { nodes: Array<Record<string, any>>; connections: Record<string, any> };
	const SENDS = {
		reminder1: ['booking-abandonment.json', 'Send Reminder 1', 'Record Reminder 1'],
		reminder2: ['booking-abandonment.json', 'Send Reminder 2', 'Record Reminder 2'],
		confirmation: ['reservation-confirmation.json', 'Send Confirmation', 'Record Confirmation'],
		review: ['post-stay-review-upsell.json', 'Send Review', 'Record Review'],
		upsell: ['post-stay-review-upsell.json', 'Send Upsell', 'Record Upsell'],
	} as const;

	test.each(STATUS_RECORDED_CLAIMS)('%s: the send is tagged with its booking, the same booking its Record step writes', (claim) => {
		const [file, name, recordName] = SENDS[claim];
		const wf = read(file);
		const send = wf.nodes.find((n) => n.name === name)!;
		const expression = send.parameters.callbackData as string;
		expect(expression.startsWith(`={{ '${journeySendTagPrefix(claim)}' + `)).toBe(true);
		const bookingExpression = expression.slice(`={{ '${journeySendTagPrefix(claim)}' + `.length, -' }}'.length);
		const record = wf.nodes.find((n) => n.name === recordName)!;
		expect(record.parameters.filters.conditions[0].keyValue).toBe(`={{ ${bookingExpression} }}`);
		// What the status writes is what the Record step writes (the post-stay sends also set their status).
		const update = statusRecordUpdate({ claim, bookingId: 'x' }, 'sent', 'W')!;
		for (const [column, value] of Object.entries(update.columns)) {
			if (column === CLAIMS[claim].messageIdColumn) continue;
			expect({ column, value: record.parameters.columns.value[column] }).toEqual({ column, value });
		}
	});

	test('First Contact records a tagged send from its status, with exactly the conditions of the rule', () => {
		const wf = read('first-contact.json');
		const node = (name: string) => wf.nodes.find((n) => n.name === name)!;
		const route = node('Route by Kind');
		expect(route.parameters.options.allMatchingOutputs).toBe(true);
		const outputs = route.parameters.rules.values.map((r: { outputKey: string }) => r.outputKey);
		const journeyOutput = outputs.indexOf('Journey Send Status');
		expect(wf.connections['Route by Kind'].main[journeyOutput]).toEqual([{ node: 'Which Journey Send?', type: 'main', index: 0 }]);
		const labels = { reminder1: 'Reminder 1', reminder2: 'Reminder 2', confirmation: 'Confirmation', review: 'Review', upsell: 'Upsell' } as const;
		const which = node('Which Journey Send?');
		STATUS_RECORDED_CLAIMS.forEach((claim, i) => {
			expect(which.parameters.rules.values[i].conditions.conditions[0].rightValue).toBe(claim);
			const recordName = `Record ${labels[claim]} From Status`;
			expect(wf.connections['Which Journey Send?'].main[i]).toEqual([{ node: recordName, type: 'main', index: 0 }]);
			const record = node(recordName);
			expect(record.parameters.filters.conditions).toEqual(statusRecordConditions(claim, '={{ $json.journeyBookingId }}'));
			const update = statusRecordUpdate({ claim, bookingId: 'x' }, 'sent', 'W')!;
			for (const column of Object.keys(update.columns)) expect(record.parameters.columns.value).toHaveProperty(column);
			expect(record.parameters.columns.value[CLAIMS[claim].messageIdColumn]).toBe('={{ $json.wamid }}');
			expect(record.parameters.columns.value[CLAIMS[claim].inFlightColumn]).toBe(false);
			const recorded: { column: string; value: string } | undefined = (CLAIMS[claim] as ClaimSpec).recordedStatus;
			if (recorded) expect(record.parameters.columns.value[recorded.column]).toBe(recorded.value);
		});
	});
});
