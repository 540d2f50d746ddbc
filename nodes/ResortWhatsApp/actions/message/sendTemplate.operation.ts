import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	buildTemplateMessage,
	type TemplateButtonParameter,
	type TemplateHeader,
} from '../../../../lib/whatsapp';
import { readRecipient, recipientField, signLink, type PreparedSend } from './common';

const show = { show: { resource: ['message'], operation: ['sendTemplate'] } };

export const DEFAULT_FALLBACK_TEXT =
	'Hello! We have an update about your stay for you. Reply to this message and our team will help you right away.';

export const description: INodeProperties[] = [
	recipientField('sendTemplate'),
	{
		displayName: 'Template Name',
		name: 'templateName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'booking_reminder_1',
		description: 'An approved template of the WhatsApp Business Account',
		displayOptions: show,
	},
	{
		displayName: 'Language Code',
		name: 'language',
		type: 'string',
		default: 'en',
		required: true,
		placeholder: 'en, es, pt_BR',
		displayOptions: show,
	},
	{
		displayName: 'Header',
		name: 'headerType',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'None', value: 'none' },
			{ name: 'Text Parameter', value: 'text' },
			{ name: 'Video', value: 'video' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Header Text',
		name: 'headerText',
		type: 'string',
		default: '',
		displayOptions: { show: { ...show.show, headerType: ['text'] } },
	},
	{
		displayName: 'Header Media URL',
		name: 'headerLink',
		type: 'string',
		default: '',
		displayOptions: {
			show: { ...show.show, headerType: ['image', 'video', 'document'] },
		},
	},
	{
		displayName: 'Body Parameters',
		name: 'bodyParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		placeholder: 'Add Parameter',
		description: 'Values for {{1}}, {{2}}, … in the template body, in order',
		displayOptions: show,
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }],
			},
		],
	},
	{
		displayName: 'Button Parameters',
		name: 'buttonParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Button Parameter',
		description: 'Dynamic parts of the template buttons: URL suffixes and quick-reply payloads',
		displayOptions: show,
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'Button Index',
						name: 'index',
						type: 'number',
						default: 0,
						description: 'Position of the button in the template, from 0',
					},
					{
						displayName: 'Type',
						name: 'subType',
						type: 'options',
						default: 'url',
						options: [
							{ name: 'URL Suffix', value: 'url' },
							{ name: 'Quick Reply Payload', value: 'quick_reply' },
							{ name: 'Copy Code', value: 'copy_code' },
						],
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Track Link Clicks',
		name: 'trackLinkClicks',
		type: 'boolean',
		default: false,
		description:
			"Whether URL-suffix buttons carry a signed token instead of the path, for the Resort Tracked Link Trigger to record the click and redirect. Turn on only when the template's URL button points at that trigger (templates:push --tracked-link-base); otherwise the link breaks.",
		displayOptions: show,
	},
	{
		displayName: 'Tracked Booking ID',
		name: 'trackedBookingId',
		type: 'string',
		default: '',
		placeholder: '={{ $json.bookingId }}',
		description: 'Booking the click is counted for (analytics: clicks per template and booking)',
		displayOptions: { show: { ...show.show, trackLinkClicks: [true] } },
	},
	{
		displayName: 'Tracked Guest Key',
		name: 'trackedGuestKey',
		type: 'string',
		default: '',
		placeholder: '={{ $json.guestKey }}',
		description: "The guest's lookup key (never the phone number), for clicks before there is a booking",
		displayOptions: { show: { ...show.show, trackLinkClicks: [true] } },
	},
	{
		displayName: 'Fallback Text',
		name: 'fallbackText',
		type: 'string',
		typeOptions: { rows: 2 },
		default: DEFAULT_FALLBACK_TEXT,
		description:
			'Sent as plain text when Meta rejects the template itself (missing, paused, wrong parameters) and the guest wrote within the last 24 hours. Empty: no fallback.',
		displayOptions: show,
	},
	{
		displayName: 'Guest Last Wrote At',
		name: 'lastInboundAt',
		type: 'string',
		default: '',
		placeholder: '={{ $json.lastInboundAt }}',
		description:
			"ISO time of the guest's last message, if known. Outside 24 hours the fallback is not attempted. Empty: Meta decides.",
		displayOptions: show,
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	const to = readRecipient(this, itemIndex);
	const name = this.getNodeParameter('templateName', itemIndex) as string;
	const language = this.getNodeParameter('language', itemIndex) as string;
	const headerType = this.getNodeParameter('headerType', itemIndex, 'none') as string;
	let header: TemplateHeader | undefined;
	if (headerType === 'text') {
		header = {
			type: 'text',
			text: this.getNodeParameter('headerText', itemIndex, '') as string,
		};
	} else if (headerType === 'image' || headerType === 'video' || headerType === 'document') {
		header = {
			type: headerType,
			link: this.getNodeParameter('headerLink', itemIndex, '') as string,
		};
	}
	const bodyParameters = (
		this.getNodeParameter('bodyParameters.parameter', itemIndex, []) as Array<{
			text: string;
		}>
	).map((parameter) => String(parameter.text ?? ''));
	let buttons = this.getNodeParameter(
		'buttonParameters.button',
		itemIndex,
		[],
	) as TemplateButtonParameter[];
	const trackLinkClicks = this.getNodeParameter('trackLinkClicks', itemIndex, false) as boolean;
	if (trackLinkClicks) {
		const bookingId = String(this.getNodeParameter('trackedBookingId', itemIndex, '') ?? '').trim();
		const guestKey = String(this.getNodeParameter('trackedGuestKey', itemIndex, '') ?? '').trim();
		buttons = buttons.map((button) =>
			button.subType === 'url'
				? {
						...button,
						value: signLink(this, {
							path: String(button.value ?? ''),
							template: name,
							language,
							bookingId: bookingId || undefined,
							guestKey: guestKey || undefined,
						}),
					}
				: button,
		);
	}
	const fallbackText = this.getNodeParameter('fallbackText', itemIndex, '') as string;
	const lastInboundAt = this.getNodeParameter('lastInboundAt', itemIndex, '') as string;
	return {
		payload: buildTemplateMessage({
			to,
			name,
			language,
			header,
			bodyParameters,
			buttons,
		}),
		fallback: fallbackText.trim()
			? { text: fallbackText, to, lastInboundAt: lastInboundAt || undefined }
			: undefined,
		summary: trackLinkClicks
			? { type: 'template', template: name, language, linkTracked: true }
			: { type: 'template', template: name, language },
	};
}
