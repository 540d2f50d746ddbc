import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';

import { resolveKey, type PhoneKeys } from '../../lib/privacy';

export const GUEST_DATA_CREDENTIAL = 'resortGuestDataApi';

/** The phone keys when the node has a Resort Guest Data credential attached, else undefined. */
export async function optionalGuestKeys(context: IExecuteFunctions | IWebhookFunctions): Promise<PhoneKeys | undefined> {
	if (!context.getNode().credentials?.[GUEST_DATA_CREDENTIAL]) return undefined;
	return guestKeys(await context.getCredentials(GUEST_DATA_CREDENTIAL));
}

export function guestKeys(data: ICredentialDataDecryptedObject): PhoneKeys {
	return { encryptionKey: String(data.encryptionKey ?? ''), lookupKey: String(data.lookupKey ?? '') };
}

/** Credential test run by the editor: both keys present, long enough, different. */
export async function testGuestDataKeys(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { encryptionKey, lookupKey } = guestKeys((credential.data ?? {}) as ICredentialDataDecryptedObject);
	if (String(encryptionKey).length < 16 || String(lookupKey).length < 16) {
		return { status: 'Error', message: 'Both phone keys must be at least 16 characters' };
	}
	if (encryptionKey === lookupKey) {
		return { status: 'Error', message: 'Use different values for the encryption and lookup keys' };
	}
	resolveKey(encryptionKey, 'encryption');
	return { status: 'OK', message: 'Keys are usable' };
}
