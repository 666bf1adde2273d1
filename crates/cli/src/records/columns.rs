//! Column tables: each kind of record lists its columns once — name, type, key, where it is
//! written and how to read it from the record — and the SQLite schema, the upserts and the CSV
//! header and rows are all derived from that one list.

/// One value of a column, before a format renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// No value (SQLite `NULL`, an empty CSV cell).
    Null,
    /// Text.
    Text(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (SQLite refuses one above `i64::MAX` rather than wrap it).
    UInt(u64),
    /// A Unix time in seconds: an integer in SQLite, RFC 3339 in UTC+8 in CSV.
    Time(i64),
}

impl Cell {
    /// The value as plain text, as a key is spelled (a time as its integer, `NULL` empty).
    pub fn raw_text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) | Cell::Time(n) => n.to_string(),
            Cell::UInt(n) => n.to_string(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Self {
        n.map_or(Cell::Null, Cell::Int)
    }
}

/// The SQL type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `TEXT`.
    Text,
    /// `INTEGER`.
    Integer,
}

impl SqlType {
    /// The type as SQL spells it.
    pub fn sql(self) -> &'static str {
        match self {
            SqlType::Text => "TEXT",
            SqlType::Integer => "INTEGER",
        }
    }
}

/// Which outputs a column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    /// SQLite and CSV.
    Everywhere,
    /// SQLite only (raw values, e.g. a time's `_text` twin or a code beside its text).
    SqliteOnly,
    /// CSV only (a summary SQLite keeps in child tables instead).
    CsvOnly,
}

/// What a column is, without how to read it (the same for every row type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name (SQLite column and CSV header).
    pub name: &'static str,
    /// SQL type.
    pub ty: SqlType,
    /// `NULL` allowed.
    pub nullable: bool,
    /// Part of the record's (or child row's) unique key.
    pub key: bool,
    /// Which outputs hold it.
    pub used: Used,
}

impl ColumnDef {
    /// True when SQLite stores it.
    pub fn in_sqlite(&self) -> bool {
        self.used != Used::CsvOnly
    }

    /// True when CSV shows it.
    pub fn in_csv(&self) -> bool {
        self.used != Used::SqliteOnly
    }
}

/// A `TEXT NOT NULL` column in every output (refine with [`ColumnDef::key`] and the rest).
pub const fn text(name: &'static str) -> ColumnDef {
    ColumnDef { name, ty: SqlType::Text, nullable: false, key: false, used: Used::Everywhere }
}

/// An `INTEGER NOT NULL` column in every output.
pub const fn int(name: &'static str) -> ColumnDef {
    ColumnDef { name, ty: SqlType::Integer, nullable: false, key: false, used: Used::Everywhere }
}

impl ColumnDef {
    /// Part of the key.
    pub const fn key(mut self) -> Self {
        self.key = true;
        self
    }

    /// `NULL` allowed.
    pub const fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Stored in SQLite only.
    pub const fn sqlite_only(mut self) -> Self {
        self.used = Used::SqliteOnly;
        self
    }

    /// Shown in CSV only.
    pub const fn csv_only(mut self) -> Self {
        self.used = Used::CsvOnly;
        self
    }
}

/// A column of rows of type `T`: what it is and how to read it.
pub struct Column<T: 'static> {
    /// What it is.
    pub def: ColumnDef,
    /// Reads the value from a row.
    pub get: fn(&T) -> Cell,
}

impl<T> Column<T> {
    /// The column `def`, read by `get`.
    pub const fn new(def: ColumnDef, get: fn(&T) -> Cell) -> Self {
        Column { def, get }
    }
}

/// Rows a record owns in a table of their own (form fields, approval nodes, comments). They are
/// keyed by the record's key columns followed by their own key columns, and are replaced
/// whenever the record is.
pub struct Children<R: 'static, C: 'static> {
    /// Table name.
    pub table: &'static str,
    /// The row's own columns (the record's key columns come first and are not listed).
    pub columns: &'static [Column<C>],
    /// The rows of a record.
    pub rows: fn(&R) -> Vec<C>,
}

/// A [`Children`] table with its row type erased, so a record can list several.
pub trait ChildTable<R>: Sync {
    /// Table name.
    fn table(&self) -> &'static str;
    /// The row's own columns.
    fn columns(&self) -> Vec<&'static ColumnDef>;
    /// The cells of every row of `record`, in column order.
    fn rows(&self, record: &R) -> Vec<Vec<Cell>>;
}

impl<R: 'static, C: 'static> ChildTable<R> for Children<R, C> {
    fn table(&self) -> &'static str {
        self.table
    }

    fn columns(&self) -> Vec<&'static ColumnDef> {
        self.columns.iter().map(|c| &c.def).collect()
    }

    fn rows(&self, record: &R) -> Vec<Vec<Cell>> {
        (self.rows)(record).iter().map(|row| self.columns.iter().map(|c| (c.get)(row)).collect()).collect()
    }
}
