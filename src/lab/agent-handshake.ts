import { KernelMessage, type Kernel } from '@jupyterlab/services';
import {
  AGENT_HELLO_TIMEOUT_MS,
  AGENT_PROTOCOL_VERSION,
  CONTEXT_REQUEST,
  HELLO_REQUEST,
  isHelloReplyContent,
  kernelspecHasAgent,
  type IContextReplyContent,
  type IContextRequestContent,
  type IHelloReplyContent,
  type IHelloRequestContent
} from '../core/protocol/index.js';

/**
 * Asks the kernel-side agent whether it records this kernel
 * (core/protocol/agent.ts). Only kernels whose kernelspec says they are
 * wrapped are asked, so a bare kernel never receives a message it does not
 * know. Resolves `undefined` when there is no agent or it did not answer in
 * time.
 */
export async function helloAgent(
  kernel: Kernel.IKernelConnection,
  notebookPath: string
): Promise<IHelloReplyContent | undefined> {
  const spec = await kernel.spec.catch(() => undefined);
  if (!kernelspecHasAgent(spec?.metadata)) {
    return undefined;
  }
  const content: IHelloRequestContent = {
    protocol: AGENT_PROTOCOL_VERSION,
    notebookPath
  };
  return askAgent(kernel, HELLO_REQUEST, { ...content }, isHelloReplyContent);
}

/**
 * Tells the agent (which answered a hello) where the notebook is and the
 * order of its cells, for its journal. Resolves whether it was recorded.
 */
export async function sendNotebookContext(
  kernel: Kernel.IKernelConnection,
  context: Omit<IContextRequestContent, 'protocol'>
): Promise<boolean> {
  const content: IContextRequestContent = {
    protocol: AGENT_PROTOCOL_VERSION,
    ...context
  };
  const reply = await askAgent(
    kernel,
    CONTEXT_REQUEST,
    { ...content },
    (c: unknown): c is IContextReplyContent =>
      typeof c === 'object' &&
      c !== null &&
      (c as { recorded?: unknown }).recorded === true
  );
  return reply !== undefined;
}

/**
 * Sends one request of ours on shell; resolves the reply's content when it
 * passes `isReply`, `undefined` otherwise or after the timeout.
 */
function askAgent<T>(
  kernel: Kernel.IKernelConnection,
  msgType: string,
  content: Record<string, unknown>,
  isReply: (content: unknown) => content is T
): Promise<T | undefined> {
  // Not message types of the Jupyter spec, so not ones @jupyterlab/services
  // types: the casts only borrow the shape of a shell request.
  const msg = KernelMessage.createMessage({
    msgType: msgType as unknown as 'execute_request',
    channel: 'shell',
    session: kernel.clientId,
    username: kernel.username,
    content: content as unknown as KernelMessage.IExecuteRequestMsg['content']
  });
  return new Promise<T | undefined>(resolve => {
    let future: Kernel.IShellFuture | undefined;
    const finish = (reply: T | undefined): void => {
      clearTimeout(timer);
      // The agent answers for the kernel: no iopub idle follows, so the
      // future never completes by itself.
      future?.dispose();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), AGENT_HELLO_TIMEOUT_MS);
    try {
      future = kernel.sendShellMessage(msg, true, true);
      future.onReply = reply =>
        finish(isReply(reply.content) ? reply.content : undefined);
    } catch {
      finish(undefined);
    }
  });
}
