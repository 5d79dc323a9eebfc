import { KernelMessage, type Kernel } from '@jupyterlab/services';

/** What a kernel's `usage_reply` says (ipykernel ≥ 6.16; psutil for the figures). */
export interface IKernelUsage {
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
  readonly memoryKind?: 'pss' | 'rss';
  readonly hostCpuPercent?: number;
}

export interface IKernelUsagePollerOptions<Tag> {
  readonly kernel: Kernel.IKernelConnection;
  /** Seconds between requests while busy. */
  readonly intervalSeconds: number;
  /** No reply within this long: the kernel does not answer them; ms. */
  readonly timeoutMs?: number;
  /** A reply, with the tag that was current when it was asked for. */
  readonly onUsage: (usage: IKernelUsage, tag: Tag) => void;
}

/**
 * Asks a kernel that runs without the agent for its own resource figures
 * (`usage_request` on the control channel, which ipykernel answers from
 * its control thread while a cell runs), only while a cell runs. A kernel
 * without a handler never replies: after one timeout it is not asked again.
 * One request at a time.
 */
export class KernelUsagePoller<Tag> {
  constructor(options: IKernelUsagePollerOptions<Tag>) {
    this._options = options;
  }

  /** Whether the kernel has shown it does not answer. */
  get unsupported(): boolean {
    return this._unsupported;
  }

  /**
   * A cell started: poll until `stop`, tagging replies with `tag` (the
   * execution). The kernel's CPU % of a reply covers the time since the
   * previous one.
   */
  start(tag: Tag): void {
    this._tag = tag;
    if (this._busy || this._unsupported || this._disposed) {
      return;
    }
    this._busy = true;
    this._request();
  }

  /** The cell ended: one last reading (closing the execution), then quiet. */
  stop(): void {
    if (!this._busy) {
      return;
    }
    this._busy = false;
    clearTimeout(this._next);
    this._next = undefined;
    this._request();
  }

  dispose(): void {
    this._disposed = true;
    this._busy = false;
    clearTimeout(this._next);
  }

  private _request(): void {
    if (this._pending || this._unsupported || this._disposed) {
      return;
    }
    const { kernel } = this._options;
    // Not a type @jupyterlab/services 4 declares: the cast only borrows the
    // shape of a control request.
    const msg = KernelMessage.createMessage({
      msgType: 'usage_request' as unknown as 'interrupt_request',
      channel: 'control',
      session: kernel.clientId,
      username: kernel.username,
      content: {}
    });
    let future: Kernel.IControlFuture | undefined;
    const timer = setTimeout(() => {
      // No handler (another kernel, an old ipykernel): never again.
      this._unsupported = true;
      this._pending = false;
      future?.dispose();
    }, this._options.timeoutMs ?? 2000);
    this._pending = true;
    const tag = this._tag as Tag;
    try {
      future = kernel.sendControlMessage(msg, true, true);
    } catch {
      clearTimeout(timer);
      this._pending = false;
      return;
    }
    future.onReply = reply => {
      clearTimeout(timer);
      this._pending = false;
      future?.dispose();
      const usage = readUsageReply(reply.content);
      if (usage !== undefined && !this._disposed) {
        this._options.onUsage(usage, tag);
      }
      this._schedule();
    };
  }

  private _schedule(): void {
    if (!this._busy || this._disposed) {
      return;
    }
    this._next = setTimeout(
      () => this._request(),
      Math.max(this._options.intervalSeconds, 0.1) * 1000
    );
  }

  private readonly _options: IKernelUsagePollerOptions<Tag>;
  private _tag: Tag | undefined;
  private _busy = false;
  private _pending = false;
  private _unsupported = false;
  private _disposed = false;
  private _next: ReturnType<typeof setTimeout> | undefined;
}

/** Reads a `usage_reply`'s content; undefined when it is not one. */
export function readUsageReply(content: unknown): IKernelUsage | undefined {
  if (typeof content !== 'object' || content === null) {
    return undefined;
  }
  const c = content as Record<string, unknown>;
  const number = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? value
      : undefined;
  const cpu = number(c.kernel_cpu);
  const memory = number(c.kernel_memory);
  const host = number(c.host_cpu_percent);
  // ipykernel sums PSS where psutil can read it (Linux), else RSS, and does
  // not say which: the kind is left unsaid rather than guessed.
  return {
    ...(cpu !== undefined ? { cpuPercent: Math.round(cpu * 10) / 10 } : {}),
    ...(memory !== undefined ? { memoryBytes: Math.round(memory) } : {}),
    ...(host !== undefined ? { hostCpuPercent: host } : {})
  };
}
