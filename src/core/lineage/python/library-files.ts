/**
 * Library functions and methods that name a file, and which argument holds
 * the path. Keys of FILE_FUNCTIONS are qualified names after import aliases
 * are resolved (`pd.read_csv` → `pandas.read_csv`); FILE_METHODS apply to a
 * method of any object (`df.to_csv`); PATH_METHODS to a method of a
 * `pathlib.Path` built from a known string (`Path('x').read_text()`).
 */

/** Where an argument is: its position, or one of its keyword names. */
export interface IArgumentSlot {
  readonly position: number;
  readonly keywords: readonly string[];
}

/**
 * How a named file is accessed: fixed, or decided by an `open`-style mode
 * argument (`'r'` read; `'w'`, `'a'`, `'x'` write; `'+'` both).
 */
export type FileAccess =
  | { readonly kind: 'fixed'; readonly read: boolean; readonly write: boolean }
  | {
      readonly kind: 'mode';
      readonly mode: IArgumentSlot;
      readonly defaultMode: string;
    };

export interface IPathArgument {
  readonly path: IArgumentSlot;
  readonly access: FileAccess;
}

const slot = (position: number, ...keywords: string[]): IArgumentSlot => ({
  position,
  keywords
});
const READ: FileAccess = { kind: 'fixed', read: true, write: false };
const WRITE: FileAccess = { kind: 'fixed', read: false, write: true };
const READ_WRITE: FileAccess = { kind: 'fixed', read: true, write: true };
const byMode = (mode: IArgumentSlot, defaultMode: string): FileAccess => ({
  kind: 'mode',
  mode,
  defaultMode
});

const firstPathRead: readonly IPathArgument[] = [
  {
    path: slot(0, 'file', 'fname', 'filename', 'f', 'path', 'filepath'),
    access: READ
  }
];
const firstPathWritten: readonly IPathArgument[] = [
  {
    path: slot(0, 'file', 'fname', 'filename', 'path', 'filepath'),
    access: WRITE
  }
];
/** `torch.save(obj, f)`, `joblib.dump(value, filename)`. */
const secondPathWritten: readonly IPathArgument[] = [
  { path: slot(1, 'f', 'filename', 'file', 'path'), access: WRITE }
];
const openLike = (defaultMode: string): readonly IPathArgument[] => [
  {
    path: slot(0, 'file', 'filename', 'name'),
    access: byMode(slot(1, 'mode'), defaultMode)
  }
];
/** `shutil.copy(src, dst)`. */
const copyLike: readonly IPathArgument[] = [
  { path: slot(0, 'src'), access: READ },
  { path: slot(1, 'dst'), access: WRITE }
];
/** `shutil.move(src, dst)`, `os.rename(src, dst)`: the source is read and removed. */
const moveLike: readonly IPathArgument[] = [
  { path: slot(0, 'src'), access: READ_WRITE },
  { path: slot(1, 'dst'), access: WRITE }
];
const removeLike: readonly IPathArgument[] = [
  { path: slot(0, 'path'), access: WRITE }
];

export const FILE_FUNCTIONS: ReadonlyMap<string, readonly IPathArgument[]> =
  new Map<string, readonly IPathArgument[]>([
    ['open', openLike('r')],
    ['io.open', openLike('r')],
    ['codecs.open', openLike('r')],
    ['gzip.open', openLike('rb')],
    ['bz2.open', openLike('rb')],
    ['lzma.open', openLike('rb')],
    [
      'tarfile.open',
      [{ path: slot(0, 'name'), access: byMode(slot(1, 'mode'), 'r') }]
    ],
    [
      'zipfile.ZipFile',
      [{ path: slot(0, 'file'), access: byMode(slot(1, 'mode'), 'r') }]
    ],
    [
      'h5py.File',
      [{ path: slot(0, 'name'), access: byMode(slot(1, 'mode'), 'r') }]
    ],
    ['numpy.load', firstPathRead],
    ['numpy.loadtxt', firstPathRead],
    ['numpy.genfromtxt', firstPathRead],
    ['numpy.fromfile', firstPathRead],
    [
      'numpy.memmap',
      [{ path: slot(0, 'filename'), access: byMode(slot(2, 'mode'), 'r+') }]
    ],
    ['numpy.save', firstPathWritten],
    ['numpy.savez', firstPathWritten],
    ['numpy.savez_compressed', firstPathWritten],
    ['numpy.savetxt', firstPathWritten],
    ['torch.load', firstPathRead],
    ['torch.save', secondPathWritten],
    ['torch.jit.load', firstPathRead],
    ['torch.jit.save', secondPathWritten],
    ['joblib.load', firstPathRead],
    ['joblib.dump', secondPathWritten],
    ['matplotlib.pyplot.savefig', [{ path: slot(0, 'fname'), access: WRITE }]],
    ['matplotlib.pyplot.imread', firstPathRead],
    ['matplotlib.pyplot.imsave', firstPathWritten],
    ['scipy.io.loadmat', firstPathRead],
    ['scipy.io.savemat', firstPathWritten],
    ['xarray.open_dataset', firstPathRead],
    ['xarray.open_dataarray', firstPathRead],
    ['xarray.open_mfdataset', firstPathRead],
    ['PIL.Image.open', firstPathRead],
    ['cv2.imread', firstPathRead],
    ['cv2.imwrite', firstPathWritten],
    ['datasets.load_from_disk', firstPathRead],
    ['shutil.copy', copyLike],
    ['shutil.copy2', copyLike],
    ['shutil.copyfile', copyLike],
    ['shutil.move', moveLike],
    ['shutil.rmtree', removeLike],
    ['os.rename', moveLike],
    ['os.replace', moveLike],
    ['os.remove', removeLike],
    ['os.unlink', removeLike]
  ]);

/** Readers whose first argument is not a path: `pandas.read_sql(sql, con)`. */
const NOT_FILE_READERS: ReadonlySet<string> = new Set([
  'read_sql',
  'read_sql_query',
  'read_sql_table',
  'read_clipboard',
  'read_gbq',
  'read_database',
  'read_database_uri'
]);

const pandasReader: readonly IPathArgument[] = [
  {
    path: slot(
      0,
      'filepath_or_buffer',
      'path',
      'io',
      'path_or_buffer',
      'source'
    ),
    access: READ
  }
];

/**
 * The path arguments of a library function, by qualified name: the table,
 * plus every `pandas.read_*`/`polars.read_*`/`polars.scan_*` reader and
 * every `*.load_model` (Keras, TensorFlow).
 */
export function fileFunction(
  qualifiedName: string
): readonly IPathArgument[] | undefined {
  const known = FILE_FUNCTIONS.get(qualifiedName);
  if (known) {
    return known;
  }
  const dot = qualifiedName.lastIndexOf('.');
  const last = qualifiedName.slice(dot + 1);
  const module = qualifiedName.slice(0, Math.max(dot, 0));
  if (
    (module === 'pandas' && last.startsWith('read_')) ||
    (module === 'polars' && /^(read|scan)_/.test(last))
  ) {
    return NOT_FILE_READERS.has(last) ? undefined : pandasReader;
  }
  if (last === 'load_model' && dot > 0) {
    return firstPathRead;
  }
  return undefined;
}

const writerPath = slot(
  0,
  'path_or_buf',
  'path',
  'excel_writer',
  'buf',
  'path_or_buffer',
  'fname',
  'file',
  'filepath'
);

export const FILE_METHODS: ReadonlyMap<string, readonly IPathArgument[]> =
  new Map<string, readonly IPathArgument[]>([
    ...[
      'to_csv',
      'to_parquet',
      'to_json',
      'to_excel',
      'to_pickle',
      'to_feather',
      'to_hdf',
      'to_stata',
      'to_orc',
      'to_xml',
      'to_html',
      'to_latex',
      'to_markdown',
      'to_netcdf',
      'to_zarr',
      'tofile',
      'savefig',
      'save',
      'save_pretrained',
      'save_to_disk',
      'save_weights',
      'write_csv',
      'write_parquet',
      'write_json'
    ].map((method): [string, readonly IPathArgument[]] => [
      method,
      [{ path: writerPath, access: WRITE }]
    ]),
    ['load_weights', firstPathRead]
  ]);

/** Methods of a `pathlib.Path` that access the file it names. */
export const PATH_METHODS: ReadonlyMap<string, FileAccess> = new Map<
  string,
  FileAccess
>([
  ['read_text', READ],
  ['read_bytes', READ],
  ['write_text', WRITE],
  ['write_bytes', WRITE],
  ['touch', WRITE],
  ['unlink', WRITE],
  ['open', byMode(slot(0, 'mode'), 'r')]
]);

/** What an `open` mode string means (`'r+'`, `'a+'` → both). */
export function accessOfMode(mode: string): {
  readonly read: boolean;
  readonly write: boolean;
} {
  const plus = mode.includes('+');
  const writes = /[wax]/.test(mode);
  // Appending keeps what was there: the file after depends on it.
  const appends = mode.includes('a');
  return { read: plus || appends || !writes, write: plus || writes };
}
