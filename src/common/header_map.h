#pragma once

#include <memory_resource>

#include <boost/beast/http/fields.hpp>

namespace tether {

// Header fields as the data plane keeps them. Beast allocates one block per
// field; with a polymorphic allocator a request's fields come from its own
// arena (RequestState) and are released together when it ends, instead of a
// malloc and a free per field. Default-constructed maps use the heap.
using HeaderAllocator = std::pmr::polymorphic_allocator<char>;
using HeaderMap = boost::beast::http::basic_fields<HeaderAllocator>;

}  // namespace tether
