import type { INodeProperties } from 'n8n-workflow';

/**
 * When a trigger's sender (the booking platform, Meta) gets its 2xx. n8n answers, never webhook()
 * itself: "Immediately" once it has created the execution, "When Last Node Finishes" once the run
 * parked on a Wait or ended, and 500 if the run failed. The second is for queue mode, where a
 * worker killed mid-run can leave n8n nothing of the event (docs/queue-mode.md): the sender's
 * redelivery is then the only copy, and acknowledgement.ts makes the trigger accept it again.
 */
export const respondWebhookDescription = {
	responseMode: '={{$parameter["respond"] === "lastNode" ? "lastNode" : "onReceived"}}',
	// A parked journey's last item is guest data: the sender gets no body in that mode.
	responseData: '={{$parameter["respond"] === "lastNode" ? "noData" : ""}}',
};

export function respondProperty(sender: string, status: number): INodeProperties {
	return {
		displayName: 'Respond',
		name: 'respond',
		type: 'options',
		default: 'onReceived',
		options: [
			{
				name: 'Immediately',
				value: 'onReceived',
				description: `Answer ${status} as soon as n8n has stored the execution, before the workflow runs (fastest)`,
			},
			{
				name: 'When Last Node Finishes',
				value: 'lastNode',
				description: `Answer ${status} (no body) once the run has parked on a Wait or ended, and 500 if it failed, so ${sender} delivers again. Needed in queue mode: a worker that dies mid-run takes the stored execution with it.`,
			},
		],
		description: `When ${sender} gets its answer (docs/queue-mode.md)`,
	};
}
