import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** Secrets shared with the booking platform (the phone keys are in Resort Guest Data API). */
export class ResortBookingWebhookApi implements ICredentialType {
	name = 'resortBookingWebhookApi';

	displayName = 'Resort Booking Webhook API';

	icon = { light: 'file:booking.svg', dark: 'file:booking.dark.svg' } as const;

	documentationUrl = 'https://github.com/resort-whatsapp/n8n-nodes-resort-whatsapp/blob/main/docs/booking-events.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Shared secret for HMAC-SHA256 signatures (X-Resort-Signature: t=<unix>,v1=<hex>). Several secrets separated by commas are accepted while you rotate them.',
		},
		{
			displayName: 'Secret Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For platforms that cannot sign: the token they put in a header or in the webhook URL',
		},
	];
}
