import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { tryTrackedLinkTarget, verifyTrackedLink } from '../../lib/links';
import { manualWebhookMethods } from '../shared/manualWebhook';

const escapeHtml = (text: string) =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A guest sees this only for a damaged or forged link: say so, and offer the booking site. */
function refusalPage(siteUrl: string): string {
	const site = escapeHtml(siteUrl);
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link not valid</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1 style="font-size:1.3rem">This link is not complete</h1><p>The link may have been cut or changed. You can still book on <a href="${site}">${site}</a>, or reply in the WhatsApp chat and we will help you.</p></body></html>`;
}

export class ResortLinkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Resort Tracked Link Trigger',
		name: 'resortLinkTrigger',
		icon: { light: 'file:link.svg', dark: 'file:link.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Booking link clicks',
		description:
			'Sends guests who tap a tracked WhatsApp booking button on to the booking site, and starts the workflow with the click (template, booking, guest key) so it can be recorded',
		defaults: { name: 'Tracked Link Click' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Only the Link Signing Secret is read: the same credential signs the links when they are sent.
		credentials: [{ name: 'resortWhatsAppApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'go',
			},
		],
		properties: [
			{
				displayName:
					'Register the WhatsApp templates with this node\'s production URL followed by <code>?l=</code> as the URL button base (templates:push --tracked-link-base), and turn on "Track Link Clicks" in the nodes that send them.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Booking Site URL',
				name: 'bookingSiteUrl',
				type: 'string',
				default: 'https://book.example-resort.com/',
				required: true,
				description:
					'Where clicks go: the path carried by each link is added to this address. Links can never lead anywhere else.',
			},
			{
				displayName: 'Report Refused Requests',
				name: 'reportRefused',
				type: 'boolean',
				default: false,
				description:
					'Whether damaged or forged links also start the workflow, as kind "rejected" with the reason and HTTP status only. Each one costs an execution.',
			},
		],
	};

	// Nothing to register elsewhere: the link base goes into the templates (templates:push).
	webhookMethods = manualWebhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const siteUrl = this.getNodeParameter('bookingSiteUrl') as string;
		const credentials = await this.getCredentials('resortWhatsAppApi');
		const secret = String(credentials.linkSigningSecret ?? '');
		const token = (this.getQueryData() as IDataObject).l;
		const receivedAt = new Date().toISOString();

		const refuse = (status: number, reason: string): IWebhookResponseData => {
			// The token is not logged: it names a booking and a guest key.
			this.logger.warn('Tracked link refused', { reason, status });
			res.status(status).setHeader('Cache-Control', 'no-store');
			res.type('text/html').send(refusalPage(siteUrl));
			if (!this.getNodeParameter('reportRefused', false)) return { noWebhookResponse: true };
			const json: IDataObject = { kind: 'rejected', reason, httpStatus: status, receivedAt };
			return { noWebhookResponse: true, workflowData: [[{ json }]] };
		};

		if (!secret) return refuse(500, 'no_link_signing_secret');
		const check = verifyTrackedLink(token, secret);
		if (!check.ok) return refuse(check.status, check.reason);
		const target = tryTrackedLinkTarget(siteUrl, check.claims.path);
		if (!target) return refuse(400, 'path_outside_site');
		// The guest is on their way before the click is recorded.
		res.status(302).setHeader('Location', target);
		res.setHeader('Cache-Control', 'no-store');
		res.end();
		const { claims } = check;
		const json: IDataObject = {
			kind: 'click',
			template: claims.template ?? null,
			language: claims.language ?? null,
			bookingId: claims.bookingId ?? null,
			guestKey: claims.guestKey ?? null,
			path: claims.path,
			target,
			linkIssuedAt: new Date(claims.issuedAt * 1000).toISOString(),
			clickedAt: receivedAt,
		};
		return { noWebhookResponse: true, workflowData: [[{ json }]] };
	}
}
