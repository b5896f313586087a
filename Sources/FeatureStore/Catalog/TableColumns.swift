/// Checks that the columns of a feature table's rows — join keys, timestamp
/// fields, features — have distinct names, so every event file and training
/// set has one column per name.
enum TableColumns {
    /// Throws on the first collision. `entities` are the definitions of the
    /// table's entities that are known (a caller may not know all of them);
    /// `location(feature)` says where to point for a feature (nil: the table).
    static func check(_ table: FeatureTableDefinition, entities: [EntityDefinition],
                      location: (String?) -> SourceLocation?) throws(CatalogError) {
        let tableObject = "feature table '\(table.name)'"
        var joinKeyOwner: [String: String] = [:]
        for entity in entities {
            for key in entity.joinKeys {
                if let other = joinKeyOwner[key.name] {
                    throw CatalogError(at: location(nil), object: tableObject,
                                       "entities '\(other)' and '\(entity.name)' both have join key '\(key.name)'; "
                                       + "the join keys of a table's entities must be distinct")
                }
                joinKeyOwner[key.name] = entity.name
            }
        }
        var timestampFields = [(table.timestampField, "timestamp field")]
        if let created = table.createdTimestampField {
            if created == table.timestampField {
                throw CatalogError(at: location(nil), object: tableObject,
                                   "the created timestamp field must differ from the timestamp field '\(created)'")
            }
            timestampFields.append((created, "created timestamp field"))
        }
        for (field, what) in timestampFields {
            if let owner = joinKeyOwner[field] {
                throw CatalogError(at: location(nil), object: tableObject,
                                   "\(what) '\(field)' collides with join key '\(field)' of entity '\(owner)'")
            }
        }
        for feature in table.features {
            let object = "feature '\(feature.name)'"
            if let owner = joinKeyOwner[feature.name] {
                throw CatalogError(at: location(feature.name), object: object,
                                   "feature name collides with join key '\(feature.name)' of entity '\(owner)'")
            }
            if let (_, what) = timestampFields.first(where: { $0.0 == feature.name }) {
                throw CatalogError(at: location(feature.name), object: object,
                                   "feature name collides with the table's \(what)")
            }
        }
    }
}
