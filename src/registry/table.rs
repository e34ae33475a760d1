//! Reading an import file (CSV or XLSX) into rows of cell texts, bounded before anything is
//! allocated (issue 12): the file's size, every XML part's inflated size, the declared shared
//! string count and sheet dimension, then, while streaming the cells, their rows, columns, number
//! and length. A file past a bound is refused with what to do, in Chinese; nothing is imported.

use std::io::Read;

use super::ImportRequest;
use crate::error::{ApiError, Result};

/// Largest import file (bytes, after base64).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Largest inflated XML part of an XLSX (a zip bomb stops here).
pub const MAX_XML_BYTES: u64 = 200 * 1024 * 1024;
/// Most rows of a sheet or CSV, the header included.
pub const MAX_ROWS: u32 = 100_000;
/// Most columns (the templates have about twenty).
pub const MAX_COLS: u32 = 100;
/// Most cell slots kept in memory (rows × the columns each row reaches), and most shared strings.
pub const MAX_CELLS: usize = 3_000_000;
/// Longest cell text, in characters.
pub const MAX_CELL_CHARS: usize = 2_000;

fn refuse(message: String) -> ApiError {
    ApiError::field("file_name", message)
}

fn too_many_rows() -> ApiError {
    refuse(format!(
        "文件超过{MAX_ROWS}行，请拆分成几个较小的文件分别导入，本次未导入任何记录"
    ))
}

fn too_many_cols() -> ApiError {
    refuse(format!(
        "文件超过{MAX_COLS}列，请只保留模板中的列后再导入，本次未导入任何记录"
    ))
}

fn too_many_cells() -> ApiError {
    refuse("文件内容过多，请拆分成几个较小的文件分别导入，本次未导入任何记录".into())
}

fn cell_too_long(row: usize, col: usize) -> ApiError {
    refuse(format!(
        "第{}行第{}列的内容超过{MAX_CELL_CHARS}个字，请检查后再导入，本次未导入任何记录",
        row + 1,
        col + 1
    ))
}

/// The file of an import request, decoded and read into rows.
pub fn import_rows(req: &ImportRequest) -> Result<Vec<Vec<String>>> {
    use base64::Engine;
    let encoded = req.content_base64.trim();
    if encoded.len() / 4 * 3 > MAX_FILE_BYTES + 3 {
        return Err(too_large());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| ApiError::field("content_base64", "文件内容无法解码"))?;
    read_table(&req.file_name, &bytes)
}

fn too_large() -> ApiError {
    refuse(format!(
        "文件超过{}MB，请拆分成几个较小的文件分别导入，本次未导入任何记录",
        MAX_FILE_BYTES / 1024 / 1024
    ))
}

/// Read a CSV or XLSX file into rows of cell texts.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(bytes)
    } else {
        Err(ApiError::field(
            "file_name",
            "只支持导入 CSV 或 XLSX（Excel）文件",
        ))
    }
}

/// Grows `rows` to hold a cell at (row, col), counting the slots kept.
struct Sheet {
    rows: Vec<Vec<String>>,
    slots: usize,
}

impl Sheet {
    fn put(&mut self, row: u32, col: u32, text: String) -> Result<()> {
        if row >= MAX_ROWS {
            return Err(too_many_rows());
        }
        if col >= MAX_COLS {
            return Err(too_many_cols());
        }
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(cell_too_long(row as usize, col as usize));
        }
        let (row, col) = (row as usize, col as usize);
        if self.rows.len() <= row {
            self.slots += row + 1 - self.rows.len();
            if self.slots > MAX_CELLS {
                return Err(too_many_cells());
            }
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            self.slots += col + 1 - cells.len();
            if self.slots > MAX_CELLS {
                return Err(too_many_cells());
            }
            cells.resize_with(col + 1, String::new);
        }
        cells[col] = text;
        Ok(())
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s.trim_start_matches('\u{feff}')),
        Err(_) => {
            let (cow, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(ApiError::field(
                    "file_name",
                    "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV",
                ));
            }
            cow
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet {
        rows: Vec::new(),
        slots: 0,
    };
    let mut rec = csv::StringRecord::new();
    let mut i = 0u32;
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(refuse(format!("CSV 第{}行格式错误：{e}", i + 1)));
            }
        }
        if i >= MAX_ROWS {
            return Err(too_many_rows());
        }
        if rec.len() > MAX_COLS as usize {
            return Err(too_many_cols());
        }
        sheet.rows.push(Vec::new());
        for (j, cell) in rec.iter().enumerate() {
            sheet.put(i, j as u32, cell.to_string())?;
        }
        i += 1;
    }
    Ok(sheet.rows)
}

/// The attribute `name="…"` in the first `<tag …>` of an XML prefix.
fn attr_in<'a>(xml: &'a str, tag: &str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{tag}"))?;
    let end = start + xml[start..].find('>')?;
    let element = &xml[start..end];
    let key = format!(" {name}=\"");
    let at = element.find(&key)? + key.len();
    let len = element[at..].find('"')?;
    Some(&element[at..at + len])
}

/// (row, col), zero-based, of a cell reference like `XFD1048576`.
fn cell_ref(r: &str) -> Option<(u64, u64)> {
    let letters = r.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].bytes().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u64 = r[letters..].replace('$', "").parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// Before calamine opens the workbook (it reserves what the file declares): every XML part within
/// [`MAX_XML_BYTES`] once inflated, the shared strings' declared count and each sheet's declared
/// dimension within the bounds.
fn check_xlsx_parts(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| refuse(format!("无法读取 Excel 文件：{e}")))?;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| refuse(format!("无法读取 Excel 文件：{e}")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let is_sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let is_strings = name == "xl/sharedStrings.xml";
        if !(is_sheet || is_strings || name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        // Read the part through once, counting: a part declaring a small size may inflate to
        // any size, so the count is what is trusted. Only the head is kept.
        let mut head = Vec::with_capacity(64 * 1024);
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = part
                .read(&mut buf)
                .map_err(|e| refuse(format!("无法读取 Excel 文件：{e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_XML_BYTES {
                return Err(too_many_cells());
            }
            if head.len() < 64 * 1024 {
                let take = n.min(64 * 1024 - head.len());
                head.extend_from_slice(&buf[..take]);
            }
        }
        let head = String::from_utf8_lossy(&head);
        if is_strings {
            for key in ["uniqueCount", "count"] {
                if let Some(n) = attr_in(&head, "sst", key) {
                    if n.parse::<u64>().map_or(true, |n| n > MAX_CELLS as u64) {
                        return Err(too_many_cells());
                    }
                }
            }
        }
        if is_sheet {
            if let Some(dim) = attr_in(&head, "dimension", "ref") {
                let end = dim.rsplit(':').next().unwrap_or(dim);
                let (row, col) = cell_ref(end).ok_or_else(|| {
                    refuse(format!("Excel 工作表的范围“{dim}”无法识别，请另存后再导入"))
                })?;
                if row >= u64::from(MAX_ROWS) {
                    return Err(too_many_rows());
                }
                if col >= u64::from(MAX_COLS) {
                    return Err(too_many_cols());
                }
            }
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader, Xlsx};
    check_xlsx_parts(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| refuse(format!("无法读取 Excel 文件：{e}")))?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| refuse("Excel 文件中没有工作表".into()))?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|e| refuse(format!("无法读取 Excel 工作表：{e}")))?;
    let dim = cells.dimensions();
    if dim.end.0 >= MAX_ROWS {
        return Err(too_many_rows());
    }
    if dim.end.1 >= MAX_COLS {
        return Err(too_many_cols());
    }
    // Cells are streamed and placed at their own row and column (never a range spanning the
    // declared corners), so rows are numbered as Excel shows them.
    let mut sheet = Sheet {
        rows: Vec::new(),
        slots: 0,
    };
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| refuse(format!("无法读取 Excel 工作表：{e}")))?
    {
        let (row, col) = cell.get_position();
        if row >= MAX_ROWS {
            return Err(too_many_rows());
        }
        if col >= MAX_COLS {
            return Err(too_many_cols());
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::String(s) => s,
            // Codes typed as numbers: print integers without ".0".
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Data::Int(i) => i.to_string(),
            other => other.to_string(),
        };
        sheet.put(row, col, text)?;
    }
    let rows = sheet.rows;
    // Header must be the first non-empty row: drop leading empty rows but keep numbering.
    let first = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))
        .unwrap_or(0);
    if first > 0 {
        return Err(ApiError::field(
            "file_name",
            format!("表头应在第1行，当前在第{}行", first + 1),
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("$B$3"), None);
        assert_eq!(cell_ref("1"), None);
        assert_eq!(
            attr_in(r#"<x><dimension ref="A1:C9"/>"#, "dimension", "ref"),
            Some("A1:C9")
        );
    }

    #[test]
    fn a_csv_past_the_bounds_is_refused() {
        let wide = vec!["a"; MAX_COLS as usize + 1].join(",");
        assert!(read_table("a.csv", wide.as_bytes())
            .unwrap_err()
            .message
            .contains("列"));
        let long = format!("代码\n{}", "长".repeat(MAX_CELL_CHARS + 1));
        let e = read_table("a.csv", long.as_bytes()).unwrap_err();
        assert!(e.message.contains("第2行第1列"), "{}", e.message);
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(read_table("a.csv", &big)
            .unwrap_err()
            .message
            .contains("MB"));
    }
}
