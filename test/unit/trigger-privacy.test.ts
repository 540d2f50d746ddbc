import { randomBytes } from 'crypto';

import { decryptPhone, openText, phoneLookupKey } from '../../lib/privacy';
import { parseWhatsAppWebhook } from '../../lib/whatsapp';
import { protectEvent } from '../../nodes/ResortWhatsAppTrigger/ResortWhatsAppTrigger.node';

const keys = { encryptionKey: randomBytes(32).toString('hex'), lookupKey: randomBytes(32).toString('hex') };

function events(value: Record<string, unknown>) {
	const parsed = parseWhatsAppWebhook({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value }] }] });
	if (!parsed.ok) throw new Error(parsed.reason);
	return parsed.events;
}

describe('Resort WhatsApp Trigger output with the Resort Guest Data credential', () => {
	it('an inbound sender and a status recipient leave only encrypted, keyed and masked', () => {
		const [message] = events({ contacts: [{ wa_id: '34612345678', profile: { name: 'Ana' } }], messages: [{ from: '34612345678', id: 'wamid.A', type: 'text', text: { body: 'Hola' } }] });
		const [status] = events({ statuses: [{ id: 'wamid.B', status: 'failed', recipient_id: '34612345678', errors: [{ code: 131026, title: 'Message undeliverable' }] }] });
		for (const [event, field] of [[message, 'from'], [status, 'recipientId']] as const) {
			const out = protectEvent(event, keys);
			expect(JSON.stringify(out)).not.toContain('612345678');
			expect(decryptPhone(String(out[field]), keys.encryptionKey)).toBe('+34612345678');
			expect(out[`${field}LookupKey`]).toBe(phoneLookupKey('+34612345678', keys.lookupKey));
			expect(out[`${field}Masked`]).toBe('+34•••••••78');
		}
	});

	it('a value that is not a phone number is sealed as text, not passed on, and gets no lookup key', () => {
		const [message] = events({ messages: [{ from: '34612345678\u0000x', id: 'wamid.C', type: 'text', text: { body: 'x' } }] });
		const out = protectEvent(message, keys);
		expect(JSON.stringify(out)).not.toContain('612345678');
		expect(out.fromInvalid).toBe(true);
		expect(out.fromLookupKey).toBeUndefined();
		expect(openText(String(out.from), keys.encryptionKey)).toBe('34612345678\u0000x');
	});
});
