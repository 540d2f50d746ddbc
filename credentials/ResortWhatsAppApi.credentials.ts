import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ResortWhatsAppApi implements ICredentialType {
	name = 'resortWhatsAppApi';

	displayName = 'Resort WhatsApp Cloud API';

	icon = {
		light: 'file:whatsapp.svg',
		dark: 'file:whatsapp.dark.svg',
	} as const;

	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A permanent System User access token with whatsapp_business_messaging and whatsapp_business_management permissions',
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			required: true,
			description:
				'The ID of the business phone number that sends messages (WhatsApp Manager → API Setup)',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			required: true,
			description: 'The WABA ID that owns the phone number and the message templates',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The Meta app secret. Incoming webhooks are accepted only when their X-Hub-Signature-256 matches it.',
		},
		{
			displayName: 'Webhook Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The token Meta echoes when it verifies the webhook URL. Leave empty to use the trigger node ID.',
		},
		{
			displayName: 'Link Signing Secret',
			name: 'linkSigningSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Signs tracked booking links (Send Template → Track Link Clicks) and checks them in the Resort Tracked Link Trigger, so clicks cannot be forged. Any long random string; only needed for click tracking.',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: 'v23.0',
			required: true,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			required: true,
			description:
				"Meta's Graph API. Point it at the local fake Cloud API to try the product without a Meta account.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	// Reading the phone number proves the token, the phone number ID and the base URL together.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/{{$credentials.graphApiVersion}}',
			url: '=/{{$credentials.phoneNumberId}}',
			qs: { fields: 'id,display_phone_number,verified_name' },
		},
	};
}
