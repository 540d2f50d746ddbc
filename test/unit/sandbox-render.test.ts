/** What the sandbox's guest phone shows for a send, and what a tap sends back. */
import { loadTemplates, toMetaTemplate } from '../../lib/templates';
import type { FakeTemplate, OutboundMessage } from '../../scripts/fake-cloud-api/server';
import { renderOutbound, tapReply } from '../../scripts/demo/render';

const templates: FakeTemplate[] = loadTemplates().flatMap((definition) =>
	Object.keys(definition.languages).map((language, i) => ({
		...(toMetaTemplate(definition, language) as unknown as FakeTemplate),
		id: `${definition.name}-${i}`,
		status: 'APPROVED' as const,
	})),
);

const message = (type: string, payload: Record<string, unknown>): OutboundMessage => ({
	wamid: 'wamid.TEST',
	phoneNumberId: '1',
	wabaId: '2',
	to: '34600111222',
	waId: '34600111222',
	type,
	payload: { messaging_product: 'whatsapp', to: '34600111222', type, ...payload },
	at: '2026-11-25T12:00:00.000Z',
	category: 'marketing',
	conversationId: 'c',
	statuses: [],
});
const text = (value: string) => ({ type: 'text', text: value });

describe('renderOutbound', () => {
	test('a template: header, body and URL button filled from the send, footer, quick replies', () => {
		const sent = message('template', {
			template: {
				name: 'booking_reminder_2',
				language: { code: 'en' },
				components: [
					{
						type: 'body',
						parameters: [
							text('Ana'),
							text('Jul 10, 2026'),
							text('Jul 14, 2026'),
							text('Playa Serena'),
						],
					},
					{ type: 'button', sub_type: 'url', index: '0', parameters: [text('resume/PS-12345')] },
					{
						type: 'button',
						sub_type: 'quick_reply',
						index: '1',
						parameters: [{ type: 'payload', payload: 'talk_to_agent' }],
					},
				],
			},
		});
		expect(renderOutbound(sent, templates)).toEqual({
			type: 'template',
			label: 'booking_reminder_2',
			header: 'Still thinking it over?',
			body: 'Hello again, Ana. Your dates Jul 10, 2026 – Jul 14, 2026 at Playa Serena are popular, and we can only hold your selection a little longer. Have a question first? Tap below and a member of our team will help you.',
			footer: 'Reply STOP to opt out',
			buttons: [
				{
					kind: 'url',
					label: 'Complete booking',
					index: 0,
					url: 'https://book.example-resort.com/resume/PS-12345',
				},
				{ kind: 'reply', label: 'Talk to the team', index: 1 },
			],
		});
		// The tap sends what WhatsApp sends: type "button" with the payload of the send, quoting the message.
		expect(tapReply(sent, { button: 1 }, templates)).toEqual({
			quickReplyButton: { payload: 'talk_to_agent', text: 'Talk to the team' },
			context: { id: 'wamid.TEST' },
			label: 'Talk to the team',
		});
		expect(() => tapReply(sent, { button: 0 }, templates)).toThrow(/no quick-reply button/);
	});

	test('a quick reply the send gave no payload to sends its text as payload', () => {
		const sent = message('template', {
			template: {
				name: 'welcome_qualifier',
				language: { code: 'es' },
				components: [
					{ type: 'header', parameters: [text('Playa Serena')] },
					{ type: 'body', parameters: [text('Lucía'), text('Playa Serena')] },
				],
			},
		});
		const bubble = renderOutbound(sent, templates);
		expect(bubble.header).toContain('Playa Serena');
		expect(bubble.body).toContain('Lucía');
		expect(tapReply(sent, { button: 1 }, templates).quickReplyButton).toEqual({
			payload: 'Familia',
			text: 'Familia',
		});
	});

	test('interactive buttons and lists, and their replies', () => {
		const buttons = message('interactive', {
			interactive: {
				type: 'button',
				body: { text: 'What kind of stay?' },
				action: {
					buttons: [
						{ type: 'reply', reply: { id: 'romance', title: 'Romance' } },
						{ type: 'reply', reply: { id: 'family', title: 'Family' } },
					],
				},
			},
		});
		expect(renderOutbound(buttons, templates).buttons.map((b) => b.label)).toEqual([
			'Romance',
			'Family',
		]);
		expect(tapReply(buttons, { button: 1 }, templates)).toMatchObject({
			buttonReply: { id: 'family', title: 'Family' },
		});
		const list = message('interactive', {
			interactive: {
				type: 'list',
				header: { type: 'text', text: 'Stays' },
				body: { text: 'Pick one' },
				action: {
					button: 'See stays',
					sections: [
						{
							title: 'Suites',
							rows: [{ id: 'family-suite', title: 'Family Suite', description: '4 guests' }],
						},
					],
				},
			},
		});
		expect(renderOutbound(list, templates)).toMatchObject({
			header: 'Stays',
			body: 'Pick one',
			list: { button: 'See stays' },
		});
		expect(tapReply(list, { row: 'family-suite' }, templates)).toMatchObject({
			listReply: { id: 'family-suite', title: 'Family Suite', description: '4 guests' },
		});
	});

	test('plain text, and a template missing from the account says so', () => {
		expect(renderOutbound(message('text', { text: { body: 'Hello' } }), templates)).toEqual({
			type: 'text',
			body: 'Hello',
			buttons: [],
		});
		expect(
			renderOutbound(
				message('template', { template: { name: 'nope', language: { code: 'en' } } }),
				templates,
			).body,
		).toMatch(/not in the WhatsApp Business Account/);
	});
});
