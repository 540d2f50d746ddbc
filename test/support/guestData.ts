/** A Resort Guest Data credential for an e2e test file, and workflows that use it. */
import { randomBytes } from 'crypto';

import { encryptPhone, phoneLookupKey, type PhoneKeys } from '../../lib/privacy';
import type { N8nApi, WorkflowJson } from '../../scripts/n8n-runtime';

export interface GuestDataCredential {
	id: string;
	name: string;
	keys: PhoneKeys & { encryptionKey: string; lookupKey: string };
	/** The `v1.…` token a trigger would emit for this number (what a workflow passes to a send node). */
	encrypt(phone: string): string;
	lookupKey(phone: string): string;
}

export async function createGuestDataCredential(n8n: N8nApi, label: string): Promise<GuestDataCredential> {
	const keys = { encryptionKey: randomBytes(32).toString('hex'), lookupKey: randomBytes(32).toString('hex') };
	const name = `Resort Guest Data (${label} ${randomBytes(3).toString('hex')})`;
	const id = await n8n.createCredential('resortGuestDataApi', name, keys);
	return {
		id,
		name,
		keys,
		encrypt: (phone) => encryptPhone(phone, keys.encryptionKey),
		lookupKey: (phone) => phoneLookupKey(phone, keys.lookupKey),
	};
}

const GUEST_DATA_NODES = [
	'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
	'n8n-nodes-resort-whatsapp.resortWhatsApp',
	'n8n-nodes-resort-whatsapp.bookingEventTrigger',
	'n8n-nodes-resort-whatsapp.guestPrivacy',
];

/**
 * The workflow with the credential on every node that receives or sends guest numbers (added
 * where missing, replacing the shipped placeholder where present): triggers then emit encrypted
 * numbers and send nodes decrypt them in memory.
 */
export function withGuestData<T extends WorkflowJson>(workflow: T, credential: { id: string; name: string }): T {
	const copy = JSON.parse(JSON.stringify(workflow)) as T;
	for (const node of copy.nodes as Array<{ type: string; credentials?: Record<string, { id: string; name: string }> }>) {
		if (!GUEST_DATA_NODES.includes(node.type)) continue;
		node.credentials = { ...(node.credentials ?? {}), resortGuestDataApi: { id: credential.id, name: credential.name } };
	}
	return copy;
}
