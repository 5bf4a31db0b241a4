//! Which columns a query needs: each object type may list the columns of its table that each of
//! its fields reads, so that a page of it selects only the columns its selected fields read
//! instead of whole rows.
//!
//! A field not listed reads every column, so an unlisted field, or a type without a list,
//! only costs the columns it did before. A listed field must name every column its resolver
//! reads through the model, including those of anything it hands the model on to: the rest of
//! a partly read model holds placeholders. `tests/tests/api/projection.rs` checks every listed
//! field against the same object read whole.

use std::any::TypeId;

use async_graphql::{Context, SelectionField};
use entity::Columns;
use sea_orm::{EntityTrait, IdenStatic, Iterable};

/// The columns that each field of an object type reads.
pub trait ReadsColumns {
    /// The table whose rows the type shows.
    type Entity: EntityTrait;

    /// The columns the field `name` reads; `None` for a field not listed, which reads them all.
    fn columns_of(name: &str) -> Option<Columns>;
}

/// The columns of `T`'s table that `fields` (selected on an object of type `T`) read: always
/// the primary key, and every column as soon as one field is not listed.
fn columns_read<'a, T: ReadsColumns>(fields: impl Iterator<Item = SelectionField<'a>>) -> Columns {
    let mut columns = Columns::at(0);
    for field in fields {
        if field.name() == "__typename" {
            continue;
        }
        match T::columns_of(field.name()) {
            Some(read) => columns = columns.union(read),
            None => return Columns::ALL,
        }
    }
    columns
}

/// The columns of `T`'s table that the field `ctx` resolves, of type `T`, reads with its
/// selection.
pub fn columns_selected<T: ReadsColumns>(ctx: &Context<'_>) -> Columns {
    columns_read::<T>(ctx.field().selection_set())
}

/// The fields selected on the items of the connection field `ctx` resolves: under `nodes` and
/// under `edges { node }`, fragments included.
fn item_fields<'a>(ctx: &'a Context<'_>) -> Vec<SelectionField<'a>> {
    let mut fields = Vec::new();
    for field in ctx.field().selection_set() {
        match field.name() {
            "nodes" => fields.extend(field.selection_set()),
            "edges" => {
                for edge_field in field.selection_set() {
                    if edge_field.name() == "node" {
                        fields.extend(edge_field.selection_set());
                    }
                }
            }
            _ => {}
        }
    }
    fields
}

/// The columns a statement over `E` selects: those of `columns` and the given `needed` ones.
pub fn with_columns<E: EntityTrait>(
    columns: Columns,
    needed: impl IntoIterator<Item = E::Column>,
) -> Columns {
    if columns == Columns::ALL {
        return columns;
    }
    needed.into_iter().fold(columns, |columns, column| {
        columns.union(position_of::<E>(column))
    })
}

/// The column `column` of `E` as a set of one.
fn position_of<E: EntityTrait>(column: E::Column) -> Columns {
    E::Column::iter()
        .position(|c| c.as_str() == column.as_str())
        .and_then(|position| u32::try_from(position).ok())
        .map_or(Columns::ALL, Columns::at)
}

/// Some columns of one table, for one request of a page: the table they belong to (checked
/// against the table the page reads, so that the positions are never read as another
/// table's) and which of its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableColumns {
    table: TypeId,
    columns: Columns,
}

impl TableColumns {
    /// The columns of `T`'s table that the fields selected on the items of the connection
    /// field `ctx` resolves read.
    pub fn of_items<T>(ctx: &Context<'_>) -> Self
    where
        T: ReadsColumns,
        T::Entity: 'static,
    {
        Self {
            table: TypeId::of::<T::Entity>(),
            columns: columns_read::<T>(item_fields(ctx).into_iter()),
        }
    }

    /// The columns of `T`'s table that the field `field` of the items in the connection field
    /// `ctx` resolves reads; none if that field is not selected.
    pub fn of_item_field<T>(ctx: &Context<'_>, field: &str) -> Self
    where
        T: ReadsColumns,
        T::Entity: 'static,
    {
        let mut columns = Columns::NONE;
        for item_field in item_fields(ctx) {
            if item_field.name() == field {
                columns = columns.union(columns_read::<T>(item_field.selection_set()));
            }
        }
        Self {
            table: TypeId::of::<T::Entity>(),
            columns,
        }
    }

    /// The columns to read of the table `E`: every one without a request, or if these columns
    /// are another table's.
    pub fn of<E: EntityTrait + 'static>(requested: Option<Self>) -> Columns {
        match requested {
            Some(requested) if requested.table == TypeId::of::<E>() => requested.columns,
            _ => Columns::ALL,
        }
    }
}

/// Implements [`ReadsColumns`] for an object type: `Type: table { "field" => [Column, …], … }`
/// lists, for each GraphQL field name, the columns of `table` the field reads.
macro_rules! reads_columns {
    ($type:ty: $table:ident { $($field:literal => [$($column:ident),* $(,)?]),* $(,)? }) => {
        impl $crate::graphql::projection::ReadsColumns for $type {
            type Entity = $table::Entity;

            fn columns_of(name: &str) -> Option<entity::Columns> {
                match name {
                    $($field => Some(entity::Columns::NONE
                        $(.union(entity::Columns::at($table::Column::$column as u32)))*),)*
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use reads_columns;

#[cfg(test)]
mod tests {
    use super::*;
    use entity::{membership, user};

    #[test]
    fn columns_of_another_table_are_read_whole() {
        let name = Columns::at(0).union(Columns::at(user::Column::Name as u32));
        let requested = TableColumns {
            table: TypeId::of::<user::Entity>(),
            columns: name,
        };
        assert_eq!(TableColumns::of::<user::Entity>(Some(requested)), name);
        assert_eq!(
            TableColumns::of::<membership::Entity>(Some(requested)),
            Columns::ALL
        );
        assert_eq!(TableColumns::of::<user::Entity>(None), Columns::ALL);
    }
}
