/**
 * What the cell's own code (what runs when the cell runs) does to the
 * global namespace, with the effects of the functions it defines applied
 * where it uses them.
 */
import type {
  IAssignmentSource,
  ICallSite,
  IFileReference,
  IWildcardBinding,
  NameWriteKind
} from '../cell-analysis.js';
import { PYTHON_BUILTINS } from './builtins.js';
import {
  addFile,
  argumentFor,
  foldCellCalls,
  PositionedNames,
  WriteSet,
  type FunctionEffectsBuilder,
  type IFoldedEffects
} from './effects.js';
import type { Scope } from './scope.js';

export class CellEffects {
  readonly reads = new PositionedNames();
  readonly writes = new WriteSet();
  readonly calls: { readonly site: ICallSite; readonly at: number }[] = [];
  readonly assignments: IAssignmentSource[] = [];
  readonly files: IFileReference[] = [];
  readonly wildcards: IWildcardBinding[] = [];
  /** The cell's functions and classes, by the name currently bound to them. */
  private readonly functions = new Map<string, FunctionEffectsBuilder>();
  private folded: Map<FunctionEffectsBuilder, IFoldedEffects> | undefined;
  private readonly applying = new Set<FunctionEffectsBuilder>();
  private readonly captures: Set<string>[] = [];

  constructor(private readonly module: Scope) {}

  /**
   * A global read by code that runs now. It reads the notebook's state
   * unless the cell certainly bound the name before; a function of the
   * cell brings its own effects wherever it is used.
   */
  read(name: string, at: number): void {
    const builtin = PYTHON_BUILTINS.has(name) && !this.module.locals.has(name);
    if (!builtin) {
      this.captures.forEach(capture => capture.add(name));
    }
    const defined = this.functions.get(name);
    if (defined) {
      this.applyFunction(defined, at);
    }
    if (!this.module.definite.has(name) && !PYTHON_BUILTINS.has(name)) {
      this.reads.add(name, at);
    }
  }

  write(name: string, kind: NameWriteKind, at: number): void {
    this.writes.add(name, kind, at);
  }

  /** A change of a global's object in place: a read of it too. */
  mutate(name: string, certain: boolean, at: number): void {
    this.read(name, at);
    this.writes.add(name, 'mutated', at, !certain);
  }

  /** A call to a global; a function of the cell mutates what it is passed. */
  call(site: ICallSite, at: number): void {
    this.calls.push({ site, at });
    const callee = this.functions.get(site.callee);
    if (!callee) {
      return;
    }
    for (const position of this.foldedEffects(callee).mutatedParams) {
      const passed = argumentFor(site, callee.params, position);
      if (passed) {
        this.mutate(passed, true, at);
      }
    }
  }

  file(file: IFileReference): void {
    addFile(this.files, file);
  }

  wildcard(binding: IWildcardBinding): void {
    this.wildcards.push(binding);
  }

  assignment(target: string, sources: ReadonlySet<string>): void {
    const others = [...sources].filter(source => source !== target);
    if (others.length > 0) {
      this.assignments.push({ target, sources: others });
    }
  }

  /** Collects every global the code walked until `endCapture` reads (an assigned value's sources). */
  beginCapture(): Set<string> {
    const capture = new Set<string>();
    this.captures.push(capture);
    return capture;
  }

  endCapture(): void {
    this.captures.pop();
  }

  defineFunction(name: string, effects: FunctionEffectsBuilder): void {
    this.functions.set(name, effects);
    this.folded = undefined;
  }

  forgetFunction(name: string): void {
    if (this.functions.delete(name)) {
      this.folded = undefined;
    }
  }

  /** The functions and classes bound at the end of the cell, with their effects folded. */
  definedFunctions(): [FunctionEffectsBuilder, IFoldedEffects][] {
    return [...this.functions.values()].map(builder => [
      builder,
      this.foldedEffects(builder)
    ]);
  }

  private foldedEffects(builder: FunctionEffectsBuilder): IFoldedEffects {
    this.folded ??= foldCellCalls(this.functions);
    const effects = this.folded.get(builder);
    if (!effects) {
      throw new Error(`function ${builder.name} is not one of the cell's`);
    }
    return effects;
  }

  private applyFunction(builder: FunctionEffectsBuilder, at: number): void {
    if (this.applying.has(builder)) {
      return;
    }
    this.applying.add(builder);
    const effects = this.foldedEffects(builder);
    for (const [name] of effects.reads.entries()) {
      this.read(name, at);
    }
    this.writes.merge(effects.writes, at);
    effects.files.forEach(file => this.file(file));
    this.applying.delete(builder);
  }
}
