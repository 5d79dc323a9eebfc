import { KernelMessage, type Kernel } from '@jupyterlab/services';
import {
  AGENT_HELLO_TIMEOUT_MS,
  AGENT_PROTOCOL_VERSION,
  HELLO_REQUEST,
  isHelloReplyContent,
  kernelspecHasAgent,
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
  // Not a message type of the Jupyter spec, so not one @jupyterlab/services
  // types: the casts only borrow the shape of a shell request.
  const msg = KernelMessage.createMessage({
    msgType: HELLO_REQUEST as unknown as 'execute_request',
    channel: 'shell',
    session: kernel.clientId,
    username: kernel.username,
    content: content as unknown as KernelMessage.IExecuteRequestMsg['content']
  });
  return new Promise<IHelloReplyContent | undefined>(resolve => {
    let future: Kernel.IShellFuture | undefined;
    const finish = (reply: IHelloReplyContent | undefined): void => {
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
        finish(isHelloReplyContent(reply.content) ? reply.content : undefined);
    } catch {
      finish(undefined);
    }
  });
}
