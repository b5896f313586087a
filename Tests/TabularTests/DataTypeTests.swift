import Testing
import Tabular

@Suite struct DataTypeTests {
    @Test func parsesEveryTypeName() {
        for name in DataType.scalarNames { #expect(DataType(parsing: name)?.description == name) }
        #expect(DataType(parsing: "float32[8]") == .float32Vector(8))
        #expect(DataType(parsing: "float32[0]") == nil)
        #expect(DataType(parsing: "flaot64") == nil)
        #expect(DataType(parsing: "float32[x]") == nil)
    }
}
