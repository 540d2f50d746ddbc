/**
 * Which n8n execution sent a WhatsApp message: the execution whose saved data contains the
 * message's wamid (every Resort WhatsApp send outputs `messageId`). n8n saves an execution's data
 * when it finishes (or goes to a long Wait), so until then the link is the best guess by time:
 * the one execution running at that moment, or its workflow's executions list.
 */
import type { ExecutionSummary, N8nApi } from '../n8n-runtime';

export interface ExecutionLink {
	url: string;
	workflowId: string;
	workflowName?: string;
	executionId?: string;
	/** true: the execution's data contains the message id. */
	exact: boolean;
}

export class ExecutionLinks {
	private readonly links = new Map<string, ExecutionLink>();
	private readonly searched = new Map<string, string>(); // finished execution id → its data (string)
	private busy = false;

	constructor(
		private readonly api: N8nApi,
		private readonly baseUrl: string,
		private readonly workflowNames: () => Map<string, string>,
	) {}

	get(wamid: string): ExecutionLink | undefined {
		return this.links.get(wamid);
	}

	private link(workflowId: string, executionId?: string, exact = false): ExecutionLink {
		return {
			url: executionId
				? `${this.baseUrl}/workflow/${workflowId}/executions/${executionId}`
				: `${this.baseUrl}/workflow/${workflowId}/executions`,
			workflowId,
			workflowName: this.workflowNames().get(workflowId),
			executionId,
			exact,
		};
	}

	/** One pass over the messages whose link is not exact yet. Never throws. */
	async refresh(messages: Array<{ wamid: string; at: string }>): Promise<void> {
		const open = messages.filter((m) => !this.links.get(m.wamid)?.exact);
		if (!open.length || this.busy) return;
		this.busy = true;
		try {
			const executions = await this.api.listExecutions({ limit: 100 });
			for (const message of open) {
				const at = Date.parse(message.at);
				const candidates = executions.filter((e) => {
					const started = e.startedAt ? Date.parse(e.startedAt) : Number.NaN;
					const stopped = e.stoppedAt ? Date.parse(e.stoppedAt) : Number.POSITIVE_INFINITY;
					return started <= at + 1000 && stopped >= at - 1000;
				});
				const exact = await this.findExact(message.wamid, candidates);
				if (exact) {
					this.links.set(message.wamid, this.link(exact.workflowId, exact.id, true));
					continue;
				}
				const workflows = new Set(candidates.map((c) => c.workflowId));
				if (candidates.length === 1)
					this.links.set(message.wamid, this.link(candidates[0].workflowId, candidates[0].id));
				else if (workflows.size === 1) this.links.set(message.wamid, this.link([...workflows][0]));
			}
		} catch {
			/* n8n busy or stopping: try again on the next pass */
		} finally {
			this.busy = false;
		}
	}

	/**
	 * Latest-started first: a workflow that waited for a sub-workflow (Execute Workflow) carries the
	 * sub-workflow's output too, but the sub-workflow, started later, is the one that sent it.
	 */
	private async findExact(
		wamid: string,
		candidates: ExecutionSummary[],
	): Promise<ExecutionSummary | undefined> {
		const latestFirst = [...candidates].sort((a, b) =>
			String(b.startedAt).localeCompare(String(a.startedAt)),
		);
		for (const execution of latestFirst) {
			const finished = !['new', 'running', 'waiting'].includes(execution.status);
			let data = this.searched.get(execution.id);
			if (data === undefined) {
				const detail = await this.api.getExecution(execution.id).catch(() => undefined);
				data = JSON.stringify(detail?.data ?? '');
				if (finished) this.searched.set(execution.id, data);
			}
			// A status update for the message (first-contact records them for analytics) carries the
			// wamid too, with its event key `<wamid>:<status>`: that execution did not send it.
			if (data.includes(wamid) && !data.includes(`${wamid}:`)) return execution;
		}
		return undefined;
	}
}
