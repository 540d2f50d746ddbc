import type { IHookFunctions } from 'n8n-workflow';

/**
 * Webhook lifecycle for triggers whose URL is set up by hand elsewhere (the booking platform, a
 * template's URL button): nothing to register or remove on activation.
 */
export const manualWebhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
