/** HTTP client for the fake Cloud API's control routes, usable from any process (tests, demo). */
import axios, { type AxiosInstance } from 'axios';

import type {
	FakePhoneNumber,
	FaultSpec,
	InboundOptions,
	InboundResult,
	OutboundMessage,
	RequestRecord,
	StatusOptions,
	SubscriptionInfo,
	TemplateSeed,
	WebhookDelivery,
} from '../../scripts/fake-cloud-api/server';

export class FakeControl {
	private readonly http: AxiosInstance;

	constructor(readonly url: string) {
		this.http = axios.create({ baseURL: `${url}/_fake`, timeout: 30_000 });
	}

	async registerPhoneNumber(phone: FakePhoneNumber): Promise<void> {
		await this.http.post('/phone-numbers', phone);
	}

	async seedTemplates(wabaId: string, templates: TemplateSeed[]): Promise<void> {
		await this.http.post('/templates', { wabaId, templates });
	}

	async inbound(options: InboundOptions): Promise<InboundResult> {
		return (await this.http.post('/inbound', options)).data as InboundResult;
	}

	async status(options: StatusOptions): Promise<WebhookDelivery | null> {
		return ((await this.http.post('/status', options)).data as { delivery: WebhookDelivery | null }).delivery;
	}

	async addFaults(...faults: FaultSpec[]): Promise<void> {
		await this.http.post('/faults', faults);
	}

	async clearFaults(): Promise<void> {
		await this.http.delete('/faults');
	}

	async requests(filter: { phoneNumberId?: string; wabaId?: string; path?: string; method?: string } = {}): Promise<RequestRecord[]> {
		return ((await this.http.get('/requests', { params: filter })).data as { data: RequestRecord[] }).data;
	}

	async messages(filter: { phoneNumberId?: string; to?: string } = {}): Promise<OutboundMessage[]> {
		return ((await this.http.get('/messages', { params: filter })).data as { data: OutboundMessage[] }).data;
	}

	async webhooks(filter: { kind?: string; phoneNumberId?: string; wamid?: string } = {}): Promise<WebhookDelivery[]> {
		return ((await this.http.get('/webhooks', { params: filter })).data as { data: WebhookDelivery[] }).data;
	}

	async subscriptions(): Promise<SubscriptionInfo[]> {
		return ((await this.http.get('/subscriptions')).data as { data: SubscriptionInfo[] }).data;
	}

	/** Requests to POST /{phone-number-id}/messages, in arrival order. */
	async sends(phoneNumberId: string): Promise<RequestRecord[]> {
		const all = await this.requests({ phoneNumberId });
		return all.filter((record) => record.method === 'POST' && record.kind === 'messages');
	}
}
