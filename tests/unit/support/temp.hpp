// Temporary files and directories for unit tests, removed when they go out of scope. Both
// are made with mkdtemp/mkstemp under the system temporary directory, so tests running in
// parallel (ctest -j, the asan and release builds side by side) never share a path.
#pragma once

#include <filesystem>
#include <string>

namespace sniprobe::test {

// A fresh empty directory; removed with everything in it on destruction.
class TempDir {
  public:
    explicit TempDir(const std::string& prefix = "sniprobe-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // path() / name, as a string (the form most APIs under test take).
    std::string file(const std::string& name) const;

  private:
    std::filesystem::path m_path;
};

// A fresh file (empty, or holding `content`); removed on destruction.
class TempFile {
  public:
    explicit TempFile(const std::string& prefix = "sniprobe-test", const std::string& content = "");
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return m_path; }
    // Replaces the content.
    void write(const std::string& content) const;
    std::string read() const;

  private:
    std::string m_path;
};

}  // namespace sniprobe::test
