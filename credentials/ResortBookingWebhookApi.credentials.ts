import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** Secrets shared with the booking platform, and the keys that protect guest phone numbers. */
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
		{
			displayName: 'Phone Encryption Key',
			name: 'encryptionKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Encrypts guest phone numbers (AES-256-GCM) before they are stored anywhere: 32 bytes as hex or base64, or a long passphrase',
		},
		{
			displayName: 'Phone Lookup Key',
			name: 'lookupKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A different secret for the keyed hash that finds a guest by phone without decrypting',
		},
	];
}
