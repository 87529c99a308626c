// TempDir and TempFile (see temp.hpp). A failure to create one throws: a test that cannot
// make its scratch space must fail loudly rather than write somewhere shared.
#include "support/temp.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>

namespace sniprobe::test {

namespace {

std::string pattern(const std::string& prefix) {
    return (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
    std::string name = pattern(prefix);
    if (::mkdtemp(name.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + name);
    m_path = name;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::string TempDir::file(const std::string& name) const {
    return (m_path / name).string();
}

TempFile::TempFile(const std::string& prefix, const std::string& content) {
    std::string name = pattern(prefix);
    int fd = ::mkstemp(name.data());
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp " + name);
    ::close(fd);
    m_path = name;
    if (!content.empty()) write(content);
}

TempFile::~TempFile() {
    ::unlink(m_path.c_str());
}

void TempFile::write(const std::string& content) const {
    std::ofstream(m_path, std::ios::binary | std::ios::trunc) << content;
}

std::string TempFile::read() const {
    std::ifstream in(m_path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace sniprobe::test
