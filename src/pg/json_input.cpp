#include "pg/json_input.hpp"

namespace inventory::pg {

JsonbIteratorToken next_token(JsonbIterator** iterator, JsonbValue* value) {
    return pg_guard([iterator, value] { return JsonbIteratorNext(iterator, value, true); });
}

JsonField json_field(const JsonbValue& value) {
    JsonField field;
    switch (value.type) {
        case jbvNull:
            field.type = JsonType::Null;
            break;
        case jbvString:
            field.type = JsonType::String;
            field.text.assign(value.val.string.val, static_cast<std::size_t>(value.val.string.len));
            break;
        case jbvNumeric: {
            field.type = JsonType::Number;
            Numeric number = value.val.numeric;
            field.text = pg_guard([number] {
                return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(number)));
            });
            break;
        }
        case jbvBool:
            field.type = JsonType::Boolean;
            break;
        case jbvBinary:
            field.type =
                JsonContainerIsArray(value.val.binary.data) ? JsonType::Array : JsonType::Object;
            break;
        default:
            field.type = JsonType::Object;
            break;
    }
    return field;
}

std::string json_text(const JsonbValue& value) {
    const JsonbValue* shown = &value;
    char* text = pg_guard([shown] {
        return JsonbToCString(nullptr, &JsonbValueToJsonb(const_cast<JsonbValue*>(shown))->root,
                              64);
    });
    std::string out(text);
    pg_guard([text] { pfree(text); });
    return out;
}

}  // namespace inventory::pg
