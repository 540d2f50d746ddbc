import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The keys that protect guest phone numbers. Triggers encrypt a number as soon as it arrives;
 * only a send step that has this credential decrypts it, in memory, to call WhatsApp.
 */
export class ResortGuestDataApi implements ICredentialType {
	name = 'resortGuestDataApi';

	displayName = 'Resort Guest Data API';

	icon = { light: 'file:booking.svg', dark: 'file:booking.dark.svg' } as const;

	documentationUrl = 'https://github.com/resort-whatsapp/n8n-nodes-resort-whatsapp/blob/main/docs/booking-events.md';

	properties: INodeProperties[] = [
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
