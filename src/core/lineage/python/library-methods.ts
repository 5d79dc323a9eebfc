/**
 * What the analysis knows about methods and library functions: which leave
 * their object alone, which change it in place, which change their
 * arguments, and which short names conventionally hold which module.
 *
 * The default for a method called on a global is "may mutate" (recall over
 * precision: a missed mutation makes lineage silently wrong, an extra one
 * only adds an edge). These tables take the common read-only methods out of
 * that default and mark the common mutating ones as certain.
 */

/**
 * Methods that do not change their object (str, list/dict/set queries,
 * numpy/pandas/torch queries and conversions that return a new value,
 * sklearn inference, file writers that only serialise the object).
 *
 * Deliberately absent: `eval`/`train` (they switch an nn.Module's mode),
 * `sort`/`reverse`/`fill`/`resize` (in place on lists and ndarrays), `plot`
 * (draws into an Axes held by the name), `backward` (writes gradients).
 * Pandas methods that mutate only with `inplace=True` are here; the
 * keyword is checked separately.
 */
export const NON_MUTATING_METHODS: ReadonlySet<string> = wordSet(`
  // object, str, bytes
  copy format format_map join split rsplit splitlines
  strip lstrip rstrip lower upper title capitalize
  casefold swapcase startswith endswith find rfind index
  rindex count encode decode partition rpartition zfill
  center ljust rjust expandtabs isalpha isalnum isdigit
  isdecimal isnumeric isspace islower isupper istitle
  isidentifier isprintable removeprefix removesuffix hex
  translate maketrans
  // dict, set, collections
  get keys items values union intersection difference
  symmetric_difference issubset issuperset isdisjoint
  most_common elements
  // numpy / pandas / torch: reductions and queries
  sum mean median std var min max prod cumsum
  cumprod argmin argmax argsort all any abs round
  clip dot matmul nonzero ptp quantile mode nunique
  unique value_counts corr cov describe info head
  tail sample isna isnull notna notnull duplicated
  equals isin between idxmin idxmax nlargest nsmallest
  memory_usage size dim ndimension numel nelement
  element_size stride is_contiguous is_floating_point
  get_device data_ptr norm allclose isclose eq ne lt
  le gt ge
  // numpy / pandas / torch: new values from old
  astype reshape view view_as flatten ravel squeeze
  unsqueeze transpose permute swapaxes expand expand_as
  repeat tile contiguous clone detach numpy item
  tolist tobytes to_numpy to_list to_dict to_frame
  to_records to_string to_dense to_sparse groupby agg
  aggregate apply applymap map transform pipe filter
  where mask merge concat pivot pivot_table melt
  stack unstack explode query assign select_dtypes loc
  iloc rolling expanding ewm resample shift diff
  pct_change rank cut qcut dropna fillna drop
  drop_duplicates rename replace reset_index set_index
  sort_values sort_index reindex interpolate set_axis
  add_prefix add_suffix iterrows itertuples
  iteritems chunk split_with_sizes narrow index_select
  gather masked_select softmax log_softmax sigmoid tanh
  relu exp log sqrt pow floor ceil sign conj
  real imag
  // torch nn.Module / optimizer queries
  parameters named_parameters buffers named_buffers children
  named_children modules named_modules state_dict extra_repr
  get_submodule get_parameter get_buffer forward
  // sklearn / keras inference
  predict predict_proba predict_log_proba decision_function
  score score_samples inverse_transform get_params
  get_feature_names_out summary get_weights get_config
  count_params
  // writers that serialise the object without changing it
  to_csv to_parquet to_json to_excel to_pickle to_feather
  to_hdf to_stata to_orc to_xml to_html to_latex
  to_markdown to_sql tofile savefig save_pretrained
  save_to_disk dumps read_text read_bytes exists is_file
  is_dir stat glob rglob iterdir resolve absolute
  relative_to with_suffix with_name with_stem joinpath
  as_posix as_uri match
`);

/**
 * Methods that certainly change their object (list/dict/set/deque updates,
 * nn.Module and optimizer state, sklearn fitting, file handles). Anything
 * else not in NON_MUTATING_METHODS is an uncertain mutation.
 */
export const MUTATING_METHODS: ReadonlySet<string> = wordSet(`
  append extend insert pop remove clear update sort
  reverse setdefault popitem add discard intersection_update
  difference_update symmetric_difference_update appendleft
  extendleft popleft rotate fill resize itemset put
  setflags fit partial_fit fit_transform fit_predict
  set_params compile train_on_batch step zero_grad backward
  train eval load_state_dict register_buffer register_parameter
  add_module register_module register_forward_hook
  register_forward_pre_hook register_full_backward_hook requires_grad_
  add_param_group write writelines truncate close flush
  seek send throw seed
  shuffle
`);

/**
 * Methods that move or convert in place on one kind of object and return a
 * converted copy on another: `nn.Module.to(dev)` moves the module's
 * parameters and returns the module itself, `Tensor.to(dev)` returns a new
 * tensor. The analysis cannot tell the kinds apart, so it reads the call
 * site: a call whose result is thrown away (`model.to(device)` as a
 * statement) only makes sense in place and counts as a certain mutation; a
 * call whose result is used (`x = t.to(device)`) does not mutate.
 */
export const CONVERT_OR_MOVE_METHODS: ReadonlySet<string> = wordSet(`
  to cuda cpu xpu mps half float double bfloat16
  int long short bool type share_memory
`);

/**
 * Methods whose result shares its object's data, so that passing the result
 * to a function that changes it changes the object: `clip(model.parameters())`,
 * `fill(d.values())`, `t.view(-1).zero_()`, `a.numpy()` (same memory).
 * Copies (`copy`, `clone`, `astype`, `to_numpy` may or may not be) are not.
 */
export const DATA_SHARING_METHODS: ReadonlySet<string> = wordSet(`
  parameters named_parameters buffers named_buffers children named_children
  modules named_modules state_dict values items view view_as detach numpy
  squeeze unsqueeze transpose permute expand
`);

/**
 * Library functions that change an argument in place, by qualified name
 * (after import aliases are resolved), with the positions they change.
 * Also: every `torch.*` function whose name ends in one `_`
 * (`torch.nn.init.normal_`, `torch.nn.utils.clip_grad_norm_`), see
 * `mutatedArgumentPositions`.
 */
const ARGUMENT_MUTATORS: ReadonlyMap<string, readonly number[]> = new Map([
  ['random.shuffle', [0]],
  ['numpy.random.shuffle', [0]],
  ['heapq.heappush', [0]],
  ['heapq.heappop', [0]],
  ['heapq.heapify', [0]],
  ['heapq.heappushpop', [0]],
  ['heapq.heapreplace', [0]],
  ['bisect.insort', [0]],
  ['bisect.insort_left', [0]],
  ['bisect.insort_right', [0]],
  ['numpy.copyto', [0]],
  ['numpy.put', [0]],
  ['numpy.place', [0]],
  ['numpy.putmask', [0]],
  ['numpy.fill_diagonal', [0]],
  ['numpy.put_along_axis', [0]],
  ['setattr', [0]],
  ['delattr', [0]]
]);

/** Methods that change their first argument whatever their object: `rng.shuffle(x)`. */
const METHOD_ARGUMENT_MUTATORS: ReadonlyMap<string, readonly number[]> =
  new Map([['shuffle', [0]]]);

export type MutationEvidence = 'none' | 'certain' | 'uncertain';

/**
 * Whether `obj.method(…)` changes `obj`: `inplace=True` does; a convert-or-
 * move method does when its result is thrown away; known read-only methods
 * do not; known mutating ones and torch's trailing-underscore methods do;
 * anything else may (recall).
 */
export function methodCallMutation(
  method: string,
  resultDiscarded: boolean,
  inplace: boolean
): MutationEvidence {
  if (
    inplace ||
    MUTATING_METHODS.has(method) ||
    isTrailingUnderscoreInPlace(method)
  ) {
    return 'certain';
  }
  if (CONVERT_OR_MOVE_METHODS.has(method)) {
    return resultDiscarded ? 'certain' : 'none';
  }
  return NON_MUTATING_METHODS.has(method) ? 'none' : 'uncertain';
}

/** A set of the whitespace-separated words of a table; `//` lines are comments. */
function wordSet(table: string): ReadonlySet<string> {
  const words = table
    .split('\n')
    .filter(line => !line.trim().startsWith('//'))
    .join(' ')
    .split(/\s+/)
    .filter(word => word !== '');
  return new Set(words);
}

const NO_POSITIONS: readonly number[] = [];

/** True for `normal_`, false for `__init__` and `_private`. */
export function isTrailingUnderscoreInPlace(name: string): boolean {
  return (
    name.length > 1 &&
    name.endsWith('_') &&
    !name.endsWith('__') &&
    !name.startsWith('_')
  );
}

/** Positions of the arguments a library function changes, by qualified name. */
export function mutatedArgumentPositions(
  qualifiedName: string
): readonly number[] {
  const known = ARGUMENT_MUTATORS.get(qualifiedName);
  if (known) {
    return known;
  }
  if (qualifiedName.startsWith('torch.')) {
    const last = qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1);
    if (isTrailingUnderscoreInPlace(last)) {
      return [0];
    }
  }
  return NO_POSITIONS;
}

/** Positions of the arguments a method changes, whatever object it is called on. */
export function methodMutatedArgumentPositions(
  method: string
): readonly number[] {
  return METHOD_ARGUMENT_MUTATORS.get(method) ?? NO_POSITIONS;
}

/**
 * Short names that hold a module by a convention strong enough to rely on
 * when the import happened in another cell: `np.random.seed(0)` in cell 5
 * must not read as a mutation of `np`, and `pd.read_csv('x')` must still be
 * a file read. A binding in the cell itself always wins.
 */
export const CONVENTIONAL_MODULES: ReadonlyMap<string, string> = new Map([
  ['np', 'numpy'],
  ['numpy', 'numpy'],
  ['pd', 'pandas'],
  ['pandas', 'pandas'],
  ['plt', 'matplotlib.pyplot'],
  ['mpl', 'matplotlib'],
  ['matplotlib', 'matplotlib'],
  ['sns', 'seaborn'],
  ['torch', 'torch'],
  ['nn', 'torch.nn'],
  ['F', 'torch.nn.functional'],
  ['optim', 'torch.optim'],
  ['tf', 'tensorflow'],
  ['keras', 'keras'],
  ['jax', 'jax'],
  ['jnp', 'jax.numpy'],
  ['xr', 'xarray'],
  ['pl', 'polars'],
  ['sp', 'scipy'],
  ['scipy', 'scipy'],
  ['sklearn', 'sklearn'],
  ['cv2', 'cv2'],
  ['h5py', 'h5py'],
  ['joblib', 'joblib'],
  ['os', 'os'],
  ['sys', 'sys'],
  ['io', 'io'],
  ['re', 're'],
  ['json', 'json'],
  ['yaml', 'yaml'],
  ['csv', 'csv'],
  ['gzip', 'gzip'],
  ['pickle', 'pickle'],
  ['shutil', 'shutil'],
  ['pathlib', 'pathlib'],
  ['glob', 'glob'],
  ['math', 'math'],
  ['random', 'random'],
  ['heapq', 'heapq'],
  ['bisect', 'bisect'],
  ['time', 'time'],
  ['datetime', 'datetime'],
  ['itertools', 'itertools'],
  ['functools', 'functools'],
  ['collections', 'collections'],
  ['subprocess', 'subprocess'],
  ['logging', 'logging'],
  ['warnings', 'warnings'],
  ['wandb', 'wandb'],
  ['mlflow', 'mlflow'],
  ['Path', 'pathlib.Path']
]);
